/* consumer.c: a program built against the installed library. It checks
 * that the header and the linked library agree on the version and that a
 * validation error comes back without any network traffic. */
#include <stayhooks.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    stayhooks_options opts;
    stayhooks_options_init(&opts);
    opts.base_url = "not-a-url";

    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    int rc = stayhooks_client_new(&opts, &client, &err);
    int ok = rc == STAYHOOKS_ERR_VALIDATION && client == NULL &&
             strcmp(stayhooks_version(), STAYHOOKS_VERSION) == 0;
    printf("version %s, client_new: %s\n", stayhooks_version(),
           stayhooks_code_name(stayhooks_error_code(err)));
    stayhooks_error_free(err);
    return ok ? 0 : 1;
}
