/* test_server_group.c: cmocka fixtures that share one test_server among
 * the tests of a group, declared in test_server.h. */
#include "test_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

test_server *test_group_server;

int test_group_start(void **state)
{
    (void)state;
    test_group_server = test_server_start();
    return test_group_server != NULL ? 0 : -1;
}

int test_group_stop(void **state)
{
    (void)state;
    test_server_stop(test_group_server);
    test_group_server = NULL;
    return 0;
}

int test_group_reset(void **state)
{
    (void)state;
    test_server_reset(test_group_server);
    return 0;
}

void test_group_options(stayhooks_options *options, const char *token)
{
    stayhooks_options_init(options);
    options->base_url = test_server_base_url(test_group_server);
    options->token = token;
}

stayhooks_client *test_group_client(const stayhooks_options *options)
{
    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;

    if (stayhooks_client_new(options, &client, &err) != STAYHOOKS_OK)
        fail_msg("stayhooks_client_new failed: %s", stayhooks_error_message(err));
    return client;
}
