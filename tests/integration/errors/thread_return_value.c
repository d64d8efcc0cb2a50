// A start routine that returns a value for pthread_join(): not modelled, refused.
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include "taskcheck.h"

void *worker(void *arg)
{
	return (void *)42;
}

int main(void)
{
	pthread_t t;
	void *ret = NULL;
	assert(pthread_create(&t, NULL, worker, NULL) == 0);
	assert(pthread_join(t, &ret) == 0);
	printf("ret=%ld\n", (long)ret);
	assert(ret == (void *)42);
	return 0;
}
