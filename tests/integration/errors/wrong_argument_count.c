int main(void)
{
	int s;
	waitpid(-1, &s);
	return 0;
}
