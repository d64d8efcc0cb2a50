// A scenario whose user code recurses without end: the model reports the
// fault in words, with its location, in the verdict and in the trace.
int f(int x)
{
	return f(x + 1);
}

int main(void)
{
	f(0);
	return 0;
}
