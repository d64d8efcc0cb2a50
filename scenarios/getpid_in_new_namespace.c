// getpid()/getppid() across the namespace boundary: after main's
// unshare(CLONE_NEWPID), b (the child reaper) sees itself as pid 1 and its
// parent as 0 (main has no pid in ns1: task_tgid_nr_ns() gives 0), c as
// pid 2 with parent 0; main keeps its own pid and sees its children's
// root-namespace pids. main's pid means nothing in ns1: b's kill() of it
// fails with ESRCH (find_vpid() looks in the caller's namespace). b exits
// with its own pid (1) as status. c's fork races with b's death: once
// zap_pid_ns_processes() disabled pid allocation it fails with ENOMEM, and
// a c that exists may be SIGKILLed by the zap.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t me = getpid();
	unshare(CLONE_NEWPID);
	assert(getpid() == me);
	pid_t b = fork();
	if (b == 0) {
		assert(getppid() == 0);
		assert(kill(me, SIGTERM) == -1 && errno == ESRCH);
		_exit(getpid());
	}
	pid_t c = fork();
	if (c == 0) {
		assert(getpid() == 2 && getppid() == 0);
		_exit(0);
	}
	assert(b > 1 && b != me);
	assert(c > 1 || (c == -1 && errno == ENOMEM));
	if (c > 0) {
		assert(c != b);
		assert(waitpid(c, &s, 0) == c);
		assert(WIFEXITED(s) || WTERMSIG(s) == SIGKILL);
	}
	assert(waitpid(b, &s, 0) == b && WIFEXITED(s) && WEXITSTATUS(s) == 1);
	return 0;
}
