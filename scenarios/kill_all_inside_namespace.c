// kill(-1, SIGKILL) inside a PID namespace (kill_something_info()): every
// process with a pid in the caller's namespace except that namespace's init
// (task_pid_vnr() > 1) and the caller itself. c kills d, but neither itself
// nor b, the init; once b has reaped both, its own kill(-1) finds nobody and
// fails with ESRCH. main, outside, is invisible to all of them.
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
	unshare(CLONE_NEWPID);
	pid_t b = fork();
	if (b == 0) {
		pid_t d = fork();
		if (d == 0) {
			for (;;)
				getpid();
		}
		pid_t c = fork();
		if (c == 0) {
			assert(kill(-1, SIGKILL) == 0);
			_exit(2);
		}
		assert(waitpid(c, &s, 0) == c && WIFEXITED(s) && WEXITSTATUS(s) == 2);
		assert(waitpid(d, &s, 0) == d && WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL);
		assert(kill(-1, SIGKILL) == -1 && errno == ESRCH);
		_exit(6);
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 6);
	return 0;
}
