/*
 * The part of esp_peer's public API (espressif/esp_peer 1.2.4, include/esp_peer.h) that the
 * webrtc module uses, declared for the unix harness. Names and values follow the real header;
 * the harness pairs it with fake_esp_peer.c instead of Espressif's library.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  ESP_PEER_ERR_NONE = 0,
  ESP_PEER_ERR_INVALID_ARG = -1,
  ESP_PEER_ERR_NO_MEM = -2,
  ESP_PEER_ERR_WRONG_STATE = -3,
  ESP_PEER_ERR_NOT_SUPPORT = -4,
  ESP_PEER_ERR_NOT_EXISTS = -5,
  ESP_PEER_ERR_FAIL = -6,
  ESP_PEER_ERR_OVER_LIMITED = -7,
  ESP_PEER_ERR_BAD_DATA = -8,
  ESP_PEER_ERR_WOULD_BLOCK = -9,
} esp_peer_err_t;

typedef enum {
  ESP_PEER_STATE_CLOSED = 0,
  ESP_PEER_STATE_DISCONNECTED = 1,
  ESP_PEER_STATE_NEW_CONNECTION = 2,
  ESP_PEER_STATE_PAIRING = 3,
  ESP_PEER_STATE_PAIRED = 4,
  ESP_PEER_STATE_CONNECTING = 5,
  ESP_PEER_STATE_CONNECTED = 6,
  ESP_PEER_STATE_CONNECT_FAILED = 7,
  ESP_PEER_STATE_DATA_CHANNEL_CONNECTED = 8,
  ESP_PEER_STATE_DATA_CHANNEL_OPENED = 9,
  ESP_PEER_STATE_DATA_CHANNEL_CLOSED = 10,
  ESP_PEER_STATE_DATA_CHANNEL_DISCONNECTED = 11,
} esp_peer_state_t;

typedef struct {
  char *stun_url;
  char *user;
  char *psw;
} esp_peer_ice_server_cfg_t;

typedef enum { ESP_PEER_ROLE_CONTROLLING, ESP_PEER_ROLE_CONTROLLED } esp_peer_role_t;
typedef enum { ESP_PEER_ICE_TRANS_POLICY_ALL = 0, ESP_PEER_ICE_TRANS_POLICY_RELAY = 1 } esp_peer_ice_trans_policy_t;
typedef enum { ESP_PEER_MEDIA_DIR_NONE = 0 } esp_peer_media_dir_t;
typedef enum {
  ESP_PEER_DATA_CHANNEL_NONE = 0,
  ESP_PEER_DATA_CHANNEL_DATA = 1,
  ESP_PEER_DATA_CHANNEL_STRING = 2,
} esp_peer_data_channel_type_t;

typedef struct {
  esp_peer_data_channel_type_t type;
  uint16_t stream_id;
  uint8_t *data;
  int size;
} esp_peer_data_frame_t;

typedef enum { ESP_PEER_MSG_TYPE_NONE, ESP_PEER_MSG_TYPE_SDP, ESP_PEER_MSG_TYPE_CANDIDATE } esp_peer_msg_type_t;

typedef struct {
  esp_peer_msg_type_t type;
  uint8_t *data;
  int size;
} esp_peer_msg_t;

typedef struct {
  const char *label;
  uint16_t stream_id;
} esp_peer_data_channel_info_t;

typedef void *esp_peer_handle_t;
typedef struct esp_peer_ops esp_peer_ops_t;

typedef struct {
  esp_peer_ice_server_cfg_t *server_lists;
  uint8_t server_num;
  esp_peer_role_t role;
  esp_peer_ice_trans_policy_t ice_trans_policy;
  esp_peer_media_dir_t audio_dir;
  esp_peer_media_dir_t video_dir;
  bool no_auto_reconnect;
  bool enable_data_channel;
  bool manual_ch_create;
  void *extra_cfg;
  int extra_size;
  void *ctx;
  int (*on_state)(esp_peer_state_t state, void *ctx);
  int (*on_msg)(esp_peer_msg_t *info, void *ctx);
  int (*on_channel_open)(esp_peer_data_channel_info_t *ch, void *ctx);
  int (*on_data)(esp_peer_data_frame_t *frame, void *ctx);
  int (*on_channel_close)(esp_peer_data_channel_info_t *ch, void *ctx);
} esp_peer_cfg_t;

int esp_peer_open(esp_peer_cfg_t *cfg, const esp_peer_ops_t *ops, esp_peer_handle_t *peer);
int esp_peer_new_connection(esp_peer_handle_t peer);
int esp_peer_send_msg(esp_peer_handle_t peer, esp_peer_msg_t *msg);
int esp_peer_send_data(esp_peer_handle_t peer, esp_peer_data_frame_t *frame);
int esp_peer_main_loop(esp_peer_handle_t peer);
int esp_peer_close(esp_peer_handle_t peer);
int esp_peer_pre_generate_cert(void);
