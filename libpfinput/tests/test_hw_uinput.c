/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hw suite: real uinput devices (needs /dev/uinput and read access to /dev/input). The
 * injected devices are opened with libinput's path backend, which must classify them as the
 * real thing and read back exactly what was injected; a force-feedback rumble uploaded and
 * played on the virtual pad must come back as client feedback. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>
#include <libevdev/libevdev.h>
#include <libinput.h>
#include <linux/input.h>

#include "pf/input.h"

#include "session_util.h"

static int open_restricted(const char *path, int flags, void *ud)
{
    int fd = open(path, flags | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static void close_restricted(int fd, void *ud)
{
    close(fd);
}

static const struct libinput_interface li_iface = {
    .open_restricted = open_restricted,
    .close_restricted = close_restricted,
};

/* Finds the event node of the newest device called @p name. */
static int find_node(const char *name, char *path, size_t len)
{
    for (int tries = 0; tries < 100; tries++) {
        DIR *d = opendir("/dev/input");
        struct dirent *e;
        int found = 0;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, "event", 5) != 0)
                continue;
            char p[300];
            snprintf(p, sizeof(p), "/dev/input/%s", e->d_name);
            int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            struct libevdev *dev = NULL;
            if (fd >= 0 && libevdev_new_from_fd(fd, &dev) == 0) {
                if (strcmp(libevdev_get_name(dev), name) == 0 &&
                    strcmp(libevdev_get_phys(dev) ? libevdev_get_phys(dev) : "",
                           "punktfunk/input") == 0) {
                    snprintf(path, len, "%s", p);
                    found = 1;
                }
                libevdev_free(dev);
            }
            if (fd >= 0)
                close(fd);
        }
        if (d)
            closedir(d);
        if (found)
            return 0;
        usleep(20000);
    }
    return -1;
}

static struct libinput_event *next_event(struct libinput *li, enum libinput_event_type type)
{
    struct pollfd pfd = { .fd = libinput_get_fd(li), .events = POLLIN };
    for (int i = 0; i < 50; i++) {
        libinput_dispatch(li);
        struct libinput_event *ev;
        while ((ev = libinput_get_event(li))) {
            if (libinput_event_get_type(ev) == type)
                return ev;
            libinput_event_destroy(ev);
        }
        poll(&pfd, 1, 100);
    }
    return NULL;
}

static int setup(void **state)
{
    if (access("/dev/uinput", W_OK) != 0) {
        print_message("# /dev/uinput not writable: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static void test_keyboard_and_mouse(void **state)
{
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "uinput";
    pf_input_injector *inj = NULL;
    assert_int_equal(pf_input_injector_create(&s, &inj), 0);
    pf_input_client *c;
    assert_int_equal(pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c), 0);
    /* First use creates the devices. */
    t_key(c, PF_INPUT_EVENT_KEY_DOWN, 0x10, 0);
    t_key(c, PF_INPUT_EVENT_KEY_UP, 0x10, 0);
    pf_input_event m = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    m.pointer.dx = 1;
    t_submit(c, m);

    char kbd[300], mouse[300];
    assert_int_equal(find_node("punktfunk keyboard", kbd, sizeof(kbd)), 0);
    assert_int_equal(find_node("punktfunk mouse", mouse, sizeof(mouse)), 0);
    struct libinput *li = libinput_path_create_context(&li_iface, NULL);
    struct libinput_device *dk = libinput_path_add_device(li, kbd);
    struct libinput_device *dm = libinput_path_add_device(li, mouse);
    assert_non_null(dk);
    assert_non_null(dm);
    assert_true(libinput_device_has_capability(dk, LIBINPUT_DEVICE_CAP_KEYBOARD));
    assert_true(libinput_device_has_capability(dm, LIBINPUT_DEVICE_CAP_POINTER));

    t_key(c, PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    struct libinput_event *ev = next_event(li, LIBINPUT_EVENT_KEYBOARD_KEY);
    assert_non_null(ev);
    struct libinput_event_keyboard *k = libinput_event_get_keyboard_event(ev);
    assert_int_equal(libinput_event_keyboard_get_key(k), KEY_A);
    assert_int_equal(libinput_event_keyboard_get_key_state(k), LIBINPUT_KEY_STATE_PRESSED);
    libinput_event_destroy(ev);

    m.pointer.dx = 7;
    m.pointer.dy = -3;
    t_submit(c, m);
    ev = next_event(li, LIBINPUT_EVENT_POINTER_MOTION);
    assert_non_null(ev);
    struct libinput_event_pointer *p = libinput_event_get_pointer_event(ev);
    assert_true(libinput_event_pointer_get_dx_unaccelerated(p) == 7.0);
    assert_true(libinput_event_pointer_get_dy_unaccelerated(p) == -3.0);
    libinput_event_destroy(ev);

    pf_input_event b = t_ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    b.pointer.button = PF_INPUT_BUTTON_RIGHT;
    t_submit(c, b);
    ev = next_event(li, LIBINPUT_EVENT_POINTER_BUTTON);
    assert_non_null(ev);
    assert_int_equal(libinput_event_pointer_get_button(libinput_event_get_pointer_event(ev)),
                     BTN_RIGHT);
    libinput_event_destroy(ev);

    /* Disconnect with A and the right button held: libinput sees both released. */
    pf_input_client_destroy(c);
    ev = next_event(li, LIBINPUT_EVENT_KEYBOARD_KEY);
    assert_non_null(ev);
    assert_int_equal(libinput_event_keyboard_get_key_state(libinput_event_get_keyboard_event(ev)),
                     LIBINPUT_KEY_STATE_RELEASED);
    libinput_event_destroy(ev);
    ev = next_event(li, LIBINPUT_EVENT_POINTER_BUTTON);
    assert_non_null(ev);
    assert_int_equal(
        libinput_event_pointer_get_button_state(libinput_event_get_pointer_event(ev)),
        LIBINPUT_BUTTON_STATE_RELEASED);
    libinput_event_destroy(ev);
    libinput_unref(li);
    pf_input_injector_destroy(inj);
}

struct rumble {
    pf_input_injector *inj;
    volatile int stop;
    volatile int got;
    pf_input_feedback fb;
};

static void on_feedback(void *ud, pf_input_client *client, const pf_input_feedback *fb)
{
    struct rumble *r = ud;
    if (fb->low_freq || fb->high_freq) {
        r->fb = *fb;
        r->got = 1;
    }
}

/* The application's EVIOCSFF blocks until the uinput owner answers, so the injector is
 * dispatched from a second thread while the main thread plays the game's part. */
static void *pump(void *arg)
{
    struct rumble *r = arg;
    struct pollfd pfd = { .fd = pf_input_injector_get_fd(r->inj), .events = POLLIN };
    while (!r->stop) {
        poll(&pfd, 1, 50);
        pf_input_injector_dispatch(r->inj);
    }
    return NULL;
}

static void test_gamepad_rumble(void **state)
{
    struct rumble r = { 0 };
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "uinput";
    s.feedback = on_feedback;
    s.feedback_user_data = &r;
    assert_int_equal(pf_input_injector_create(&s, &r.inj), 0);
    pf_input_client *c;
    assert_int_equal(pf_input_client_create(r.inj, PF_INPUT_PERM_ALL, &c), 0);
    pf_input_event e = t_ev(PF_INPUT_EVENT_CONTROLLER_STATE);
    e.pad.number = 0;
    e.pad.active_mask = 1;
    t_submit(c, e);
    char node[300];
    assert_int_equal(find_node("Microsoft X-Box 360 pad", node, sizeof(node)), 0);

    struct libinput *li = libinput_path_create_context(&li_iface, NULL);
    assert_non_null(libinput_path_add_device(li, node));
    libinput_unref(li);

    int fd = open(node, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    pthread_t t;
    pthread_create(&t, NULL, pump, &r);
    struct ff_effect fx = { .type = FF_RUMBLE, .id = -1 };
    fx.u.rumble.strong_magnitude = 0xC000;
    fx.u.rumble.weak_magnitude = 0x4000;
    assert_int_equal(ioctl(fd, EVIOCSFF, &fx), 0);
    struct input_event play = { .type = EV_FF, .code = (uint16_t)fx.id, .value = 1 };
    assert_int_equal(write(fd, &play, sizeof(play)), (ssize_t)sizeof(play));
    for (int i = 0; i < 100 && !r.got; i++)
        usleep(20000);
    r.stop = 1;
    pthread_join(t, NULL);
    close(fd);
    assert_true(r.got);
    assert_int_equal(r.fb.controller, 0);
    assert_int_equal(r.fb.low_freq, 0xC000);
    assert_int_equal(r.fb.high_freq, 0x4000);
    pf_input_injector_destroy(r.inj);
}

int main(void)
{
    /* cmocka 1.1 reports a failed setup as an error: without the device, skip the program. */
    if (access("/dev/uinput", W_OK) != 0) {
        printf("1..0 # SKIP /dev/uinput not writable: %s\n", strerror(errno));
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_keyboard_and_mouse, setup),
        cmocka_unit_test_setup(test_gamepad_rumble, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
