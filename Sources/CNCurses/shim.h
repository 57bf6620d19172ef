// ncursesw from Debian's libncurses-dev, with the wide-character API turned on.
//
// Swift 6 cannot use C globals such as stdscr or COLORS, nor macros such as A_BOLD or
// COLOR_PAIR, so this header wraps what TerminalUI needs in static inline functions.
#ifndef LATENT_CNCURSES_SHIM_H
#define LATENT_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <curses.h>
#include <term.h>

/// Sets the locale from the environment; returns 1 when its character set is UTF-8.
static inline int latent_setlocale_utf8(void) {
    setlocale(LC_ALL, "");
    return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

static inline WINDOW *latent_stdscr(void) { return stdscr; }
static inline int latent_colors(void) { return COLORS; }
static inline int latent_color_pairs(void) { return COLOR_PAIRS; }
static inline int latent_lines(void) { return LINES; }
static inline int latent_cols(void) { return COLS; }

static inline attr_t latent_attr_bold(void) { return A_BOLD; }
static inline attr_t latent_attr_reverse(void) { return A_REVERSE; }
static inline attr_t latent_attr_dim(void) { return A_DIM; }
static inline attr_t latent_attr_underline(void) { return A_UNDERLINE; }

/// Starts curses on the process's terminal without exiting on failure (initscr would).
/// Returns NULL when the terminal type is unknown.
static inline SCREEN *latent_newterm(const char *type) { return newterm(type, stdout, stdin); }

/// The colours terminfo entry `name` declares, before curses starts; -1 when there is no such
/// entry.
static inline int latent_terminfo_colors(const char *name) {
    int error = 0;
    if (setupterm(name, 1, &error) != OK) return -1;
    int colors = tigetnum("colors");
    del_curterm(cur_term);
    return colors;
}

/// Writes one cell: the glyph, its attributes and an extended colour pair.
static inline int latent_put_cell(int y, int x, wchar_t glyph, attr_t attrs, int pair) {
    wchar_t text[2] = { glyph, 0 };
    cchar_t cell;
    setcchar(&cell, text, attrs, 0, &pair);
    return mvadd_wch(y, x, &cell);
}

/// Makes the next refresh draw the whole screen afresh (Ctrl-L); curscr is a C global.
static inline void latent_redraw_all_next(void) { clearok(curscr, TRUE); }

/// True when the terminal has an alternate screen (smcup), which endwin leaves for the shell's
/// own screen; linux and vt100 consoles have none.
static inline int latent_has_alternate_screen(void) {
    const char *smcup = tigetstr("smcup");
    return smcup != NULL && smcup != (char *)-1 && smcup[0] != 0;
}

/// Blanks the screen now, for terminals without an alternate screen, which would otherwise
/// keep the app's last frame above the shell's prompt.
static inline void latent_clear_now(void) { erase(); refresh(); }

/// True when the terminal description can address the cursor (TERM=dumb cannot).
static inline int latent_has_cursor_addressing(void) {
    const char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1;
}

/// Asks the terminal to report presses of the first button and the wheel, at once (no wait to
/// tell clicks from double clicks). Returns 1 when the terminal can.
static inline int latent_mouse_on(void) {
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL) != 0;
}

/// Reads the mouse event behind a KEY_MOUSE into *x and *y (0-based cells): returns 1 for a
/// press of the first button, 2 for the wheel up, 3 for the wheel down, 0 for anything else.
static inline int latent_read_mouse(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    if (event.bstate & BUTTON1_PRESSED) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 2;
    if (event.bstate & BUTTON5_PRESSED) return 3;
    return 0;
}

#endif
