/* libsenxor: the MI48 register map
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SENXOR_REG_MCU_RESET = 0x00,
  SENXOR_REG_HOST_XFER_CTRL = 0x01,
  SENXOR_REG_SPI_RTY = 0x19,
  SENXOR_REG_STARK_CTRL = 0x20,
  SENXOR_REG_STARK_CUTOFF = 0x21,
  SENXOR_REG_STARK_GRAD = 0x22,
  SENXOR_REG_STARK_SCALE = 0x23,
  SENXOR_REG_MMS_CTRL = 0x25,
  SENXOR_REG_MEDIAN_CTRL = 0x30,
  SENXOR_REG_FRAME_FORMAT = 0x31,
  SENXOR_REG_MCU_TYPE = 0x33,
  SENXOR_REG_FRAME_MODE = 0xB1,
  SENXOR_REG_FW_VERSION_1 = 0xB2,
  SENXOR_REG_FW_VERSION_2 = 0xB3,
  SENXOR_REG_FRAME_RATE = 0xB4,
  SENXOR_REG_SLEEP_MODE = 0xB5,
  SENXOR_REG_STATUS = 0xB6,
  SENXOR_REG_CLK_SPEED = 0xB7,
  SENXOR_REG_SENXOR_GAIN = 0xB9,
  SENXOR_REG_SENXOR_TYPE = 0xBA,
  SENXOR_REG_MODULE_TYPE = 0xBB,
  SENXOR_REG_TEMP_CONVERT_CTRL = 0xBC,
  SENXOR_REG_SENSITIVITY_FACTOR = 0xC2,
  SENXOR_REG_SELF_CALIBRATION = 0xC5,
  SENXOR_REG_EMISSIVITY = 0xCA,
  SENXOR_REG_OFFSET_CORR = 0xCB,
  SENXOR_REG_OBJECT_TEMP_FACTOR = 0xCD,
  SENXOR_REG_FILTER_CONTROL = 0xD0,
  SENXOR_REG_FILTER_SETTING_1 = 0xD1,
  SENXOR_REG_FILTER_SETTING_2 = 0xD2,
  SENXOR_REG_USER_FLASH_CTRL = 0xD8,
  SENXOR_REG_SENXOR_ID_0 = 0xE0,
  SENXOR_REG_SENXOR_ID_1 = 0xE1,
  SENXOR_REG_SENXOR_ID_2 = 0xE2,
  SENXOR_REG_SENXOR_ID_3 = 0xE3,
  SENXOR_REG_SENXOR_ID_4 = 0xE4,
  SENXOR_REG_SENXOR_ID_5 = 0xE5,
  SENXOR_REG_SENXOR_ID_6 = 0xE6,
} SenxorRegister;

/* FRAME_MODE (0xB1) bits */
#define SENXOR_FRAME_MODE_GET_SINGLE_FRAME (1u << 0)
#define SENXOR_FRAME_MODE_CONTINUOUS_STREAM (1u << 1)
#define SENXOR_FRAME_MODE_READOUT_MASK (7u << 2)
#define SENXOR_FRAME_MODE_NO_HEADER (1u << 5)
#define SENXOR_FRAME_MODE_ADC_ENABLE (1u << 7)
/* FRAME_FORMAT (0x31) */
#define SENXOR_FRAME_FORMAT_TEMP_UNITS_MASK 0x07u
/* FRAME_RATE (0xB4) */
#define SENXOR_FRAME_RATE_DIVIDER_MASK 0x7Fu
/* STATUS (0xB6) bits */
#define SENXOR_STATUS_READOUT_TOO_SLOW (1u << 1)
#define SENXOR_STATUS_INTERFACE_ERROR (1u << 2)
#define SENXOR_STATUS_CAPTURE_ERROR (1u << 3)
#define SENXOR_STATUS_DATA_READY (1u << 4)
#define SENXOR_STATUS_BOOTING (1u << 5)
/* STARK_CTRL (0x20) */
#define SENXOR_STARK_ENABLE (1u << 0)
#define SENXOR_STARK_TYPE_SHIFT 1
#define SENXOR_STARK_TYPE_MASK (7u << 1)
#define SENXOR_STARK_SPATIAL_KERNEL (1u << 4)
/* MMS_CTRL (0x25) */
#define SENXOR_MMS_KXMS (1u << 0)
#define SENXOR_MMS_RA (1u << 1)
/* MEDIAN_CTRL (0x30) */
#define SENXOR_MEDIAN_ENABLE (1u << 0)
#define SENXOR_MEDIAN_KERNEL_5 (1u << 1)
/* FILTER_CONTROL (0xD0) */
#define SENXOR_FILTER_TEMPORAL_ENABLE (1u << 0)
#define SENXOR_FILTER_TEMPORAL_INIT (1u << 1)
/* SENXOR_GAIN (0xB9) */
#define SENXOR_GAIN_MASK 0x0Fu

/**
 * SenxorRegisterInfo:
 * @address: the register address
 * @name: its name as in docs/protocol.md (upper case, e.g. "FRAME_MODE")
 * @writable: %FALSE for read-only registers
 * @description: one line
 */
typedef struct {
  guint8 address;
  const char *name;
  gboolean writable;
  const char *description;
} SenxorRegisterInfo;

/* All known registers, in address order; @n_out receives the count. */
const SenxorRegisterInfo *senxor_registers (guint *n_out);
/* NULL when @address is not a known register. */
const SenxorRegisterInfo *senxor_register_lookup (guint8 address);
/* By name (case-insensitive) or by address ("0xB1", "B1", "177"). */
gboolean senxor_register_parse (const char *name_or_address, guint8 *address,
    GError **error);

G_END_DECLS
