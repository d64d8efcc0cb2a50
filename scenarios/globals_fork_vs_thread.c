// A child's write to a global is not seen by the parent; a thread's is.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int g = 5;
int h;
void *writer(void *arg)
{
	g = 42;
	h += 3;
	return NULL;
}
int main(void)
{
	int s;
	pthread_t t;
	pid_t c = fork();
	if (c == 0) {
		g = 100;
		h = 7;
		_exit(g + h);
	}
	assert(waitpid(c, &s, 0) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 107);
	assert(g == 5);
	assert(h == 0);
	assert(pthread_create(&t, NULL, writer, NULL) == 0);
	assert(pthread_join(t, NULL) == 0);
	assert(g == 42);
	assert(h == 3);
	printf("g=%d h=%d\n", g, h);
	return 0;
}
