// A fork tree built by a recursive helper: spawn_tree(d) forks two children
// that each build a tree of depth d-1 and exit with the number of processes
// in it; every node reaps its own children with wait() and reports
// 1 + the sum. main builds a depth-1 tree (3 processes); the depth-2 tree (7
// processes) is beyond the whole search in 60 s. Exercises object-like macros (no
// function-like ones in the subset), static helpers, const, ?:, continue and printf with arguments.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

#define FANOUT 2

static int max2(int a, int b)
{
	return a > b ? a : b;
}

static int collect(int expect)
{
	int s;
	int total = 0;
	int got = 0;
	pid_t r;
	while (1) {
		r = wait(&s);
		if (r == -1) {
			assert(errno == ECHILD);
			break;
		}
		assert(WIFEXITED(s));
		got++;
		if (WEXITSTATUS(s) == 0)
			continue;
		total += WEXITSTATUS(s);
	}
	assert(got == expect);
	return total;
}

static int spawn_tree(const int depth)
{
	int i;
	if (depth == 0)
		return 1;
	for (i = 0; i < FANOUT; i++) {
		pid_t p = fork();
		if (p == 0)
			_exit(spawn_tree(depth - 1));
		assert(p > 0);
	}
	return 1 + collect(depth > 0 ? FANOUT : 0);
}

int main(void)
{
	const int depth = 0;
	int n = spawn_tree(max2(depth, 1)) - 1;
	printf("tree of %d processes below main\n", n);
	assert(n == FANOUT);
	return 0;
}
