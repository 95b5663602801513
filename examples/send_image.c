/* send_image.c: places an image on the room's board at a given size and
 * position. Usage: send_image [IMAGE_URL] */
#include "example_env.h"

int main(int argc, char **argv)
{
    stayhooks_target target;
    if (!example_target(&target))
        return 2;

    stayhooks_client *client = NULL;
    stayhooks_error *err = NULL;
    if (stayhooks_client_new_from_env(NULL, &client, &err) != STAYHOOKS_OK) {
        example_print_error("creating the client", err);
        return 1;
    }

    stayhooks_image image = { 0 };
    image.url = argc > 1 ? argv[1] : "https://images.example.test/cat.jpeg";
    image.has_size = 1;
    image.w = 360;
    image.h = 240;
    image.has_position = 1;
    image.x = 420;
    image.y = 260;

    stayhooks_invoke_result *result = NULL;
    int rc = stayhooks_send_image(client, &target, &image, &result, &err);
    if (rc != STAYHOOKS_OK)
        example_print_error("send_image", err);
    else
        example_print_result(result);

    stayhooks_client_free(client);
    return rc == STAYHOOKS_OK ? 0 : 1;
}
