// Fork three children from a for loop (no arrays: a helper maps a pid back to
// its index), reap them with waitpid(-1) until ECHILD. Each child exits with
// its index + 1; a bitmask checks every child was reaped exactly once.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

#define N 3

pid_t p0;
pid_t p1;
pid_t p2;

int slot_of(pid_t p)
{
	if (p == p0)
		return 0;
	else if (p == p1)
		return 1;
	else if (p == p2)
		return 2;
	return -1;
}

pid_t spawn(int code)
{
	pid_t p = fork();
	if (p == 0)
		_exit(code);
	return p;
}

int main(void)
{
	int i;
	int s;
	int mask = 0;
	int sum = 0;
	int reaped = 0;
	pid_t r;

	for (i = 0; i < N; i++) {
		pid_t p = spawn(i + 1);
		assert(p > 0);
		if (i == 0)
			p0 = p;
		else if (i == 1)
			p1 = p;
		else
			p2 = p;
	}
	while ((r = waitpid(-1, &s, 0)) > 0) {
		int k = slot_of(r);
		assert(k >= 0);
		assert((mask & (1 << k)) == 0);
		mask |= 1 << k;
		assert(WIFEXITED(s) && WEXITSTATUS(s) == k + 1);
		sum += WEXITSTATUS(s);
		reaped++;
	}
	assert(r == -1 && errno == ECHILD);
	assert(reaped == N && sum == 6 && mask == 7);
	printf("reaped %d children\n", reaped);
	return 0;
}
