// prctl(PR_SET_CHILD_SUBREAPER) also marks the caller's existing descendants:
// kernel/sys.c runs walk_process_tree(me, propagate_has_child_subreaper),
// which sets has_child_subreaper on every descendant (copy_process() only
// covers children forked later). b was forked before m became a subreaper,
// yet when b dies find_new_reaper() must walk b's ancestors and hand c to
// m, not to x, the namespace's init. All of it runs inside a fresh PID
// namespace so that kill(-1) reaches only c: kill(-1) succeeds exactly when
// c exists (it never exits by itself), and then m must be able to reap it.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	unshare(CLONE_NEWPID);
	pid_t x = fork();
	if (x == 0) {
		pid_t m = fork();
		if (m == 0) {
			pid_t b = fork();
			if (b == 0) {
				pid_t c = fork();
				if (c == 0) {
					for (;;)
						getpid();
				}
				for (;;)
					getpid();
			}
			assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
			assert(kill(b, SIGKILL) == 0);
			assert(waitpid(b, &s, 0) == b && WTERMSIG(s) == SIGKILL);
			int kr = kill(-1, SIGKILL);
			pid_t r = wait(&s);
			if (kr == 0)
				assert(r > 0 && WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
			else
				assert(kr == -1 && r == -1 && errno == ECHILD);
			_exit(0);
		}
		while (wait(NULL) > 0)
			;
		_exit(0);
	}
	assert(waitpid(x, &s, 0) == x && WIFEXITED(s));
	return 0;
}
