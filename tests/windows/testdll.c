/* testdll.c - a DLL for test_platform_win's LoadLibraryExW test. */
__declspec(dllexport) int fz_test_answer(void)
{
    return 42;
}
