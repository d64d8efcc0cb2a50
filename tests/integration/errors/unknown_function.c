int main(void)
{
	pid_t b = frok();
	return 0;
}
