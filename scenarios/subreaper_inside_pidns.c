// A subreaper inside a PID namespace (as a container's supervisor under its
// init): c (pid 2 of ns1) sets PR_SET_CHILD_SUBREAPER, forks d, d forks e
// and exits. e goes to c, the nearest subreaper at the same namespace level,
// not to b (ns1's child_reaper): e sees getppid() == 2. c reaps d and e; b
// reaps only c and then gets ECHILD.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

int reap_sum(void)
{
	int s;
	int sum = 0;
	pid_t r;
	while ((r = wait(&s)) != -1) {
		assert(WIFEXITED(s));
		sum += WEXITSTATUS(s);
	}
	assert(errno == ECHILD);
	return sum;
}

int main(void)
{
	int s;
	assert(unshare(CLONE_NEWPID) == 0);
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
			pid_t d = fork();
			if (d == 0) {
				pid_t e = fork();
				if (e == 0) {
					while (getppid() == 3)
						;
					assert(getppid() == 2);
					_exit(5);
				}
				_exit(6);
			}
			_exit(reap_sum());
		}
		assert(c == 2);
		_exit(reap_sum());
	}
	assert(waitpid(b, &s, 0) == b);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 11);
	return 0;
}
