// pthread_join() stores the thread's return value (NULL) through retval.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include "taskcheck.h"

int done;

void *worker(void *arg)
{
	done = 1;
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret = (void *)1;
	assert(pthread_create(&t, NULL, worker, NULL) == 0);
	assert(pthread_join(t, &ret) == 0);
	assert(ret == NULL);
	assert(done == 1);
	return 0;
}
