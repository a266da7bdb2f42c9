/* Pieces of the `webrtc` module defined outside modwebrtc.c. */
#pragma once

#include "py/obj.h"

/* Signaling helpers backed by the host-tested core (modwebrtc_signal.c). */
extern const mp_obj_fun_builtin_fixed_t webrtc_signal_parse_obj;
extern const mp_obj_fun_builtin_fixed_t webrtc_signal_offer_reply_obj;
extern const mp_obj_fun_builtin_var_t webrtc_signal_answer_reply_obj;
extern const mp_obj_fun_builtin_fixed_t webrtc_signal_error_reply_obj;
extern const mp_obj_fun_builtin_fixed_t webrtc_rewrite_mdns_obj;

#define WEBRTC_SIGNAL_GLOBALS                                                           \
  { MP_ROM_QSTR(MP_QSTR_signal_parse), MP_ROM_PTR(&webrtc_signal_parse_obj) },          \
  { MP_ROM_QSTR(MP_QSTR_signal_offer_reply), MP_ROM_PTR(&webrtc_signal_offer_reply_obj) }, \
  { MP_ROM_QSTR(MP_QSTR_signal_answer_reply), MP_ROM_PTR(&webrtc_signal_answer_reply_obj) }, \
  { MP_ROM_QSTR(MP_QSTR_signal_error_reply), MP_ROM_PTR(&webrtc_signal_error_reply_obj) }, \
  { MP_ROM_QSTR(MP_QSTR_rewrite_mdns), MP_ROM_PTR(&webrtc_rewrite_mdns_obj) },
