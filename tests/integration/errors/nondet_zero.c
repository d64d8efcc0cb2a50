// nondet(0) has no value to choose: refused at compile time.
#include "taskcheck.h"

int main(void)
{
	int x = nondet(0);
	return x;
}
