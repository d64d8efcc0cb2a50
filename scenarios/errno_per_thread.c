// errno is per thread: a thread's failing wait sets its errno, not main's.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int seen;
void *t_fn(void *arg)
{
	errno = 0;
	assert(kill(99999, 0) == -1);
	seen = errno;
	return NULL;
}
int main(void)
{
	pthread_t t;
	int s;
	errno = 0;
	assert(wait(&s) == -1);
	assert(errno == ECHILD);
	assert(pthread_create(&t, NULL, t_fn, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(seen == ESRCH);
	assert(errno == ECHILD);
	return 0;
}
