#include "routes.h"

/* Shared body of the three read-back endpoints: any member of the room
 * may read what it received. */
static void read_back(struct server *srv, struct request *req, struct reply *rep,
                      const char *key, int (*query)(sqlite3 *, const char *, json_t **))
{
    const char *room = req->segments[1];
    sqlite3 *db = server_db(srv);
    json_t *rows = NULL;

    if (db == NULL) {
        reply_error(rep, 500, "database unavailable");
        return;
    }
    if (routes_authorize(srv, db, req, rep, room, ROLE_MEMBER, NULL) != 0)
        return;
    if (query(db, room, &rows) != STORE_OK) {
        reply_error(rep, 500, "database error: %s", sqlite3_errmsg(db));
        return;
    }
    reply_json(rep, 200, json_pack("{s:s, s:o}", "roomId", room, key, rows));
}

void routes_messages(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "messages", store_messages);
}

void routes_polls(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "polls", store_polls);
}

void routes_board(struct server *srv, struct request *req, struct reply *rep)
{
    read_back(srv, req, rep, "images", store_images);
}
