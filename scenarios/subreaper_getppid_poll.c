// main is a child subreaper. b forks c and exits; c polls getppid() until it
// changes (its parent died), then must find main, the nearest subreaper
// ancestor (find_new_reaper()), not init. main reaps b and then c with
// waitpid(-1), and learns c's exit status.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

pid_t me;

int main(void)
{
	int s;
	int got = 0;
	pid_t r;
	assert(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
	me = getpid();
	pid_t b = fork();
	if (b == 0) {
		pid_t bp = getpid();
		pid_t c = fork();
		if (c == 0) {
			while (getppid() == bp)
				;
			assert(getppid() == me);
			_exit(12);
		}
		_exit(11);
	}
	while ((r = waitpid(-1, &s, 0)) != -1) {
		assert(WIFEXITED(s));
		if (r == b)
			assert(WEXITSTATUS(s) == 11);
		else
			assert(WEXITSTATUS(s) == 12);
		got++;
	}
	assert(errno == ECHILD);
	assert(got == 2);
	return 0;
}
