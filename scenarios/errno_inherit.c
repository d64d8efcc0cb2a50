// A forked child inherits errno; a new thread starts with errno 0.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int terr = -5;
void *t_fn(void *arg)
{
	terr = errno;
	return NULL;
}
int main(void)
{
	int s;
	pthread_t t;
	assert(wait(&s) == -1);
	assert(errno == ECHILD);
	pid_t c = fork();
	if (c == 0)
		_exit(errno == ECHILD ? 3 : 4);
	assert(waitpid(c, &s, 0) == c && WEXITSTATUS(s) == 3);
	assert(pthread_create(&t, NULL, t_fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(terr == 0);
	return 0;
}
