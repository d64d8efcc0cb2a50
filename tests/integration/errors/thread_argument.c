// A thread started with an argument: the model passes none, so it is refused.
#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include "taskcheck.h"

int seen;

void *worker(void *arg)
{
	seen = (int)(long)arg;
	return NULL;
}

int main(void)
{
	pthread_t t;
	assert(pthread_create(&t, NULL, worker, (void *)41) == 0);
	assert(pthread_join(t, NULL) == 0);
	printf("seen=%d\n", seen);
	assert(seen == 41);
	return 0;
}
