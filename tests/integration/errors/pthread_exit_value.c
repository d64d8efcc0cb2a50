// pthread_exit() with a value for pthread_join(): not modelled, refused.
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include "taskcheck.h"

void *worker(void *arg)
{
	pthread_exit((void *)7);
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *ret;
	assert(pthread_create(&t, NULL, worker, NULL) == 0);
	assert(pthread_join(t, &ret) == 0);
	assert((long)ret == 7);
	return 0;
}
