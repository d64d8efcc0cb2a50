// main of child c calls pthread_exit(); its thread then exits with exit(5):
// the process status is 5. The parent's WNOHANG poll before it may see 0.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
void *late(void *arg)
{
	getpid();
	exit(5);
	return NULL;
}
int main(void)
{
	int s;
	pthread_t t;
	pid_t c = fork();
	if (c == 0) {
		assert(pthread_create(&t, NULL, late, NULL) == 0);
		pthread_exit(NULL);
	}
	int r = waitpid(c, &s, WNOHANG);
	assert(r == 0 || r == c);
	if (r == 0)
		assert(waitpid(c, &s, 0) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 5);
	assert(kill(c, 0) == -1 && errno == ESRCH);
	return 0;
}
