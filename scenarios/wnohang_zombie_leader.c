// Child's leader pthread_exit()s while its thread waits on a grandchild;
// the parent's WNOHANG sees 0 until the thread is gone; kill(c, 0) is 0
// while the leader is a zombie with a live thread.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
pid_t gc;
void *waiter(void *arg)
{
	int s;
	assert(waitpid(gc, &s, 0) == gc);
	exit(WEXITSTATUS(s) + 1);
	return NULL;
}
int main(void)
{
	int s;
	pid_t c = fork();
	if (c == 0) {
		pthread_t t;
		gc = fork();
		if (gc == 0)
			_exit(40);
		assert(pthread_create(&t, NULL, waiter, NULL) == 0);
		pthread_exit(NULL);
	}
	int r = waitpid(c, &s, WNOHANG);
	if (r == 0)
		assert(kill(c, 0) == 0);
	else
		assert(r == c);
	if (r == 0)
		assert(waitpid(c, &s, 0) == c);
	assert(WIFEXITED(s) && WEXITSTATUS(s) == 41);
	return 0;
}
