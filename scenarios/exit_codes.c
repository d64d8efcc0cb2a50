// Exit codes are status & 0xff; negative codes wrap.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include "taskcheck.h"
int run(int code)
{
	int s;
	pid_t p = fork();
	if (p == 0)
		exit(code);
	assert(waitpid(p, &s, 0) == p);
	assert(WIFEXITED(s));
	assert(!WIFSIGNALED(s));
	return WEXITSTATUS(s);
}
int main(void)
{
	assert(run(256) == 0);
	assert(run(257) == 1);
	assert(run(-1) == 255);
	assert(run(-256) == 0);
	assert(run(511) == 255);
	printf("%d %d\n", run(-2), run(1000));
	return 0;
}
