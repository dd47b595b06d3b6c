/*
 * Directory expansion for `hash --recursive`.
 *
 * Entries are sorted by name (byte order, as `LC_ALL=C ls`) and visited depth
 * first, so the output order is the same on every run and every file system.
 * Symbolic links found inside the tree are not followed (a link to a directory
 * could loop); they are skipped without a word, like other non-regular files,
 * except that a link to a regular file is hashed by its path. Unreadable
 * directories are reported and the walk goes on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

int cli_list_push(struct cli_list *l, char *item)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **items = realloc(l->items, cap * sizeof(*items));
        if (items == NULL)
            return 0;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = item;
    return 1;
}

void cli_list_free(struct cli_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    int slash = dl > 0 && dir[dl - 1] != '/';
    char *p = malloc(dl + slash + nl + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, dir, dl);
    if (slash)
        p[dl] = '/';
    memcpy(p + dl + slash, name, nl + 1);
    return p;
}

/* Reads the names of one directory, sorted. */
static int read_names(const char *dir, struct cli_list *names, int *errors)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL) {
        cli_error(dir, "%s", strerror(errno));
        (*errors)++;
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        /* The entry type rides in front of the name: most file systems fill
           d_type, which spares an lstat() per file. */
        size_t len = strlen(e->d_name);
        char *name = malloc(len + 2);
        if (name != NULL) {
            name[0] = (char)e->d_type;
            memcpy(name + 1, e->d_name, len + 1);
        }
        if (name == NULL || !cli_list_push(names, name)) {
            free(name);
            closedir(d);
            return 0;
        }
    }
    closedir(d);
    if (names->n > 1) /* an empty directory has no array: qsort(NULL) is undefined */
        qsort(names->items, names->n, sizeof(char *), by_name);
    return 1;
}

static int visit(char *path, unsigned char type, cli_emit_fn emit, void *ctx, int *errors)
{
    struct stat st;

    if (type == DT_REG)
        return emit(ctx, path);
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) { /* vanished since readdir: nothing to hash */
            cli_error(path, "%s", strerror(errno));
            (*errors)++;
        }
        free(path);
        return 1;
    }
    if (S_ISDIR(st.st_mode)) {
        int ok = cli_walk(path, emit, ctx, errors);
        free(path);
        return ok;
    }
    if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && S_ISREG(st.st_mode)))
        return emit(ctx, path);
    free(path);
    return 1;
}

int cli_walk(const char *dir, cli_emit_fn emit, void *ctx, int *errors)
{
    struct cli_list names = { 0 };
    int ok = read_names(dir, &names, errors);

    for (size_t i = 0; ok && i < names.n; i++) {
        char *path = join(dir, names.items[i] + 1);
        ok = path != NULL && visit(path, (unsigned char)names.items[i][0], emit, ctx, errors);
    }
    cli_list_free(&names);
    return ok;
}
