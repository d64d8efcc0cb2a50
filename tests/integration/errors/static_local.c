// A static local keeps its value between calls in C; here it would not, so
// it is refused.
#include <assert.h>
#include "taskcheck.h"

int counter(void)
{
	static int n;
	n++;
	return n;
}

int main(void)
{
	counter();
	assert(counter() == 2);
	return 0;
}
