/* esp_peer's default implementation: the configuration fields the webrtc module sets. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "esp_peer.h"

typedef struct {
  uint16_t cache_timeout;
  uint32_t send_cache_size;
  uint32_t recv_cache_size;
} esp_peer_default_data_ch_cfg_t;

typedef struct {
  uint16_t agent_recv_timeout;
  esp_peer_default_data_ch_cfg_t data_ch_cfg;
  bool keep_role;
  bool ipv6_support;
  uint8_t max_candidates;
} esp_peer_default_cfg_t;

const esp_peer_ops_t *esp_peer_get_default_impl(void);
