// A fatal signal cuts a fork short: copy_process() re-checks
// fatal_signal_pending() under tasklist_lock and fails with EINTR, and the
// forker dies on its way back to user mode (exit_to_user_mode() ->
// get_signal()), so user space never sees the EINTR: main's fork() either
// returns a pid or does not return. When that fork is the first into main's
// new namespace, free_pid() finds only PIDNS_ADDING left and closes the
// namespace (pid_allocated = 0): later forks into it would fail too, but the
// only task that could fork there is main, which is dying. a kills main at
// any point; once main is reaped (by init) its pid is gone: ESRCH. b, the
// namespace's init, runs on (adopted by init), which keeps the search small.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	pid_t me = getpid();
	pid_t a = fork();
	if (a == 0) {
		int r = kill(me, SIGKILL);
		assert(r == 0 || (r == -1 && errno == ESRCH));
		_exit(0);
	}
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		for (;;)
			getpid();
	}
	assert(b > 0);
	return 0;
}
