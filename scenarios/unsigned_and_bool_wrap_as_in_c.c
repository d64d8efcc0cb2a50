// Scenario variables of narrow types behave as C says: an unsigned int
// that goes below zero wraps to 4294967295 (so a countdown `while (u-- > 0)`
// ends), an unsigned char keeps its low 8 bits, and a bool holds 0 or 1.
//! expect unprotected v6.1 v6.3 v6.9 v6.11: ok
#include <assert.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>
#include "taskcheck.h"

unsigned int reaped = 0;

int main(void)
{
	unsigned int u = 0;
	unsigned char c = 255;
	bool b = 7;
	unsigned int n = 2;

	u--;
	assert(u == 4294967295u && u > 0);
	c++;
	assert(c == 0);
	assert(b == 1);
	while (n-- > 0) {
		pid_t x = fork();
		if (x == 0)
			_exit(0);
		if (waitpid(x, NULL, 0) == x)
			reaped++;
	}
	assert(n == 4294967295u);
	assert(reaped == 2);
	return 0;
}
