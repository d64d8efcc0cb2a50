// do_wait() only considers the caller's own children (of any thread of its
// group): c waiting for its sibling b, or for init, gets ECHILD even while
// b is alive or a zombie; main gets ECHILD for a child it already reaped
// (the pid is gone), and kill() of that pid fails with ESRCH. (Exit codes
// keep their low 8 bits: _exit(257) reads as status 1.)
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int main(void)
{
	int s;
	pid_t b = fork();
	if (b == 0)
		_exit(257);
	pid_t c = fork();
	if (c == 0) {
		assert(waitpid(b, &s, 0) == -1 && errno == ECHILD);
		assert(waitpid(1, &s, __WALL) == -1 && errno == ECHILD);
		_exit(2);
	}
	assert(waitpid(b, &s, 0) == b && WEXITSTATUS(s) == 1);
	assert(waitpid(b, &s, 0) == -1 && errno == ECHILD);
	assert(kill(b, SIGKILL) == -1 && errno == ESRCH);
	assert(waitpid(c, &s, 0) == c && WEXITSTATUS(s) == 2);
	return 0;
}
