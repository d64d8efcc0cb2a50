// errno is unchanged by a successful call and set by a failing one.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int main(void)
{
	int s;
	errno = 0;
	assert(wait(&s) == -1);
	assert(errno == ECHILD);
	pid_t c = fork();
	if (c == 0)
		_exit(1);
	assert(getpid() > 0);
	assert(errno == ECHILD);
	assert(kill(c, 0) == 0);
	assert(errno == ECHILD);
	assert(waitpid(c, &s, 0) == c);
	assert(errno == ECHILD);
	assert(kill(c, 0) == -1);
	assert(errno == ESRCH);
	assert(waitpid(-1, &s, 12345) == -1);
	assert(errno == EINVAL);
	assert(kill(getpid(), 99) == -1);
	assert(errno == EINVAL);
	errno = 0;
	assert(getppid() > 0);
	assert(errno == 0);
	printf("errno=%d\n", errno);
	return 0;
}
