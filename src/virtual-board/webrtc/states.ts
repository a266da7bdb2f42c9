/** esp_peer's `esp_peer_state_t`, as the `webrtc` module exposes them (firmware/docs/webrtc-api.md). */
export const PeerState = {
  CLOSED: 0,
  DISCONNECTED: 1,
  NEW_CONNECTION: 2,
  PAIRING: 3,
  PAIRED: 4,
  CONNECTING: 5,
  CONNECTED: 6,
  CONNECT_FAILED: 7,
  DATA_CHANNEL_CONNECTED: 8,
  DATA_CHANNEL_OPENED: 9,
  DATA_CHANNEL_CLOSED: 10,
  DATA_CHANNEL_DISCONNECTED: 11,
} as const;

export type PeerStateValue = (typeof PeerState)[keyof typeof PeerState];

/** MicroPython's errno values (the ones the module raises). */
export const Errno = { EBADF: 9, ENOMEM: 12, EINVAL: 22, ENOTCONN: 107 } as const;
