#include "preview.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Byte arrays generated from src/server/preview/ by embed_assets.cmake. */
extern const unsigned char preview_index_html[];
extern const size_t preview_index_html_size;
extern const unsigned char preview_app_js[];
extern const size_t preview_app_js_size;
extern const unsigned char preview_app_css[];
extern const size_t preview_app_css_size;

struct preview_asset {
    const char *route;
    const char *content_type;
    const unsigned char *data;
    const size_t *size;
};

static const struct preview_asset page = {
    "/preview/{room}", "text/html; charset=utf-8", preview_index_html, &preview_index_html_size,
};

static const struct preview_asset assets[] = {
    {"/preview/assets/app.js", "text/javascript; charset=utf-8", preview_app_js,
     &preview_app_js_size},
    {"/preview/assets/app.css", "text/css; charset=utf-8", preview_app_css,
     &preview_app_css_size},
};

/* The page loads only its own script and style sheet and talks only to
 * this server. Board and embed images may come from any http(s) host,
 * because that is where webhooks point them. */
static const char content_security_policy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src http: https: data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

int preview_owns_path(const char *url)
{
    return strcmp(url, "/preview") == 0 || strncmp(url, "/preview/", 9) == 0;
}

/* Returns 1 when `segment` is one non-empty, well-formed room path segment. */
static int is_room_segment(const char *segment)
{
    char *room;

    if (segment[0] == '\0' || strchr(segment, '/') != NULL)
        return 0;
    room = text_percent_decode(segment, strlen(segment));
    if (room == NULL)
        return 0;
    free(room);
    return 1;
}

const struct preview_asset *preview_find(const char *url, const char *method,
                                         struct reply *rep)
{
    const struct preview_asset *found = NULL;

    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        if (strcmp(url, assets[i].route) == 0)
            found = &assets[i];
    }
    if (found == NULL && strncmp(url, "/preview/", 9) == 0 && is_room_segment(url + 9))
        found = &page;
    if (found == NULL) {
        reply_error(rep, 404, "no such endpoint");
        return NULL;
    }

    rep->route = found->route;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        rep->allow = "GET, HEAD";
        reply_error(rep, 405, "method not allowed; use GET, HEAD");
        return NULL;
    }
    return found;
}

enum MHD_Result preview_queue(struct MHD_Connection *connection,
                              const struct preview_asset *asset)
{
    struct MHD_Response *response;
    enum MHD_Result result;

    /* The arrays are static and never change, so no copy is needed. */
    response = MHD_create_response_from_buffer(*asset->size, (void *)asset->data,
                                               MHD_RESPMEM_PERSISTENT);
    if (response == NULL)
        return MHD_NO;

    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, asset->content_type);
    MHD_add_response_header(response, "Content-Security-Policy", content_security_policy);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");

    result = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return result;
}
