/*
 * SIGINT and SIGTERM for the long commands (scan, fingerprint): a handler for
 * the run, then what was there before.
 *
 * A signal the process inherited as ignored stays ignored: shells start
 * background jobs of a script with SIGINT ignored, and a Ctrl-C meant for the
 * script must not stop them (nohup does the same for SIGHUP). The previous
 * actions are put back afterwards, not reset to the default.
 */
#include <signal.h>
#include <string.h>

#include "cli.h"

static const int caught[CLI_SIGNALS] = { SIGINT, SIGTERM };

void cli_signals_catch(struct cli_signals *s, void (*handler)(int))
{
    struct sigaction sa;

    memset(s, 0, sizeof(*s));
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < CLI_SIGNALS; i++) {
        if (sigaction(caught[i], NULL, &s->old[i]) != 0 || s->old[i].sa_handler == SIG_IGN)
            continue;
        s->set[i] = sigaction(caught[i], &sa, NULL) == 0;
    }
}

void cli_signals_restore(struct cli_signals *s)
{
    for (int i = 0; i < CLI_SIGNALS; i++)
        if (s->set[i])
            sigaction(caught[i], &s->old[i], NULL);
    memset(s->set, 0, sizeof(s->set));
}
