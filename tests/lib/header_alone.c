/* header_alone.c: proves that stayhooks.h compiles on its own, with no
 * other include first, under -std=c11 -pedantic -Werror. */
#include <stayhooks.h>

int main(void)
{
    stayhooks_options opts = STAYHOOKS_OPTIONS_INIT;
    stayhooks_webhook_update update = STAYHOOKS_WEBHOOK_UPDATE_INIT;
    return (int)opts.version - STAYHOOKS_OPTIONS_VERSION + update.paused + 1;
}
