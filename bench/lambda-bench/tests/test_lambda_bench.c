#include "test.h"
int main(int c, char **v){ static const test_case_t t[1]; (void)t; return test_main(t,0,c,v);}
