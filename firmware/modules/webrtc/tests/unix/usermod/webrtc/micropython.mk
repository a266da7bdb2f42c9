# Unix-harness build of the webrtc module: the real binding, glue and core, with FreeRTOS on
# pthreads and a scripted esp_peer (see ../../fake_esp_peer.c).
HARNESS_DIR := $(abspath $(USERMOD_DIR)/../..)
WEBRTC_DIR := $(abspath $(HARNESS_DIR)/../..)

SRC_USERMOD_C += \
	$(WEBRTC_DIR)/modwebrtc.c \
	$(WEBRTC_DIR)/modwebrtc_signal.c \
	$(WEBRTC_DIR)/webrtc_peer.c \
	$(WEBRTC_DIR)/webrtc_sign.c \
	$(wildcard $(WEBRTC_DIR)/core/*.c) \
	$(HARNESS_DIR)/fake_esp_peer.c \
	$(HARNESS_DIR)/freertos_pthread.c

CFLAGS_USERMOD += -I$(WEBRTC_DIR) -I$(HARNESS_DIR)/shim -Wno-missing-field-initializers
