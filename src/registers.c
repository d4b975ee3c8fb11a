/* libsenxor: the MI48 register map (facts in docs/protocol.md, Registers)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "senxor/registers.h"
#include "senxor/error.h"

#include <stdlib.h>
#include <string.h>

static const SenxorRegisterInfo registers[] = {
  {0x00, "MCU_RESET", TRUE, "bit0 software reset"},
  {0x01, "HOST_XFER_CTRL", TRUE, "DMA timeout, transfer reset"},
  {0x19, "SPI_RTY", TRUE, "retransmission"},
  {0x20, "STARK_CTRL", TRUE, "bit0 STARK enable; bits1-3 type; bit4 spatial kernel"},
  {0x21, "STARK_CUTOFF", TRUE, "STARK cutoff"},
  {0x22, "STARK_GRAD", TRUE, "STARK gradient"},
  {0x23, "STARK_SCALE", TRUE, "STARK scale"},
  {0x25, "MMS_CTRL", TRUE, "bit0 k-extrema median stabilisation; bit1 rolling average"},
  {0x30, "MEDIAN_CTRL", TRUE, "bit0 median filter enable; bit1 kernel size"},
  {0x31, "FRAME_FORMAT", TRUE, "bits0-2 TEMP_UNITS"},
  {0x33, "MCU_TYPE", FALSE, "0 MI48D4, 1 MI48D5, 2 MI48E, 3 MI48G, 4 MI49, 5 MI40"},
  {0xB1, "FRAME_MODE", TRUE,
      "bit0 single frame; bit1 continuous; bit5 NO_HEADER; bit7 ADC_ENABLE"},
  {0xB2, "FW_VERSION_1", FALSE, "bits4-7 major, bits0-3 minor"},
  {0xB3, "FW_VERSION_2", FALSE, "build number"},
  {0xB4, "FRAME_RATE", TRUE, "bits0-6 divider: fps = FPS_MAX / divider"},
  {0xB5, "SLEEP_MODE", TRUE, "sleep period, units, sleep bit"},
  {0xB6, "STATUS", FALSE, "bit1 too slow; bit2 interface error; bit3 capture error; "
      "bit4 data ready; bit5 booting"},
  {0xB7, "CLK_SPEED", TRUE, "bit0 slow clock"},
  {0xB9, "SENXOR_GAIN", TRUE, "bits0-3: 0 = 1.0, 1 = auto, 2 = 0.25, 3 = 0.5, 4 = 1.0"},
  {0xBA, "SENXOR_TYPE", FALSE, "0/1/3/4/5/8 80x62; 6 160x120; 9 50x50"},
  {0xBB, "MODULE_TYPE", FALSE, "module part number code"},
  {0xBC, "TEMP_CONVERT_CTRL", TRUE, "LUT source / selector / version"},
  {0xC2, "SENSITIVITY_FACTOR", TRUE, "temperature readout correction factor"},
  {0xC5, "SELF_CALIBRATION", TRUE, "column-offset calibration control"},
  {0xCA, "EMISSIVITY", TRUE, "percent (100 = 1.00)"},
  {0xCB, "OFFSET_CORR", TRUE, "temperature offset correction (signed, 0.1 K)"},
  {0xCD, "OBJECT_TEMP_FACTOR", TRUE, "1 + (int8) value / 100"},
  {0xD0, "FILTER_CONTROL", TRUE, "bit0 temporal filter enable; bit1 init"},
  {0xD1, "FILTER_SETTING_1", TRUE, "temporal filter strength, low byte"},
  {0xD2, "FILTER_SETTING_2", TRUE, "temporal filter strength, high byte"},
  {0xD8, "USER_FLASH_CTRL", TRUE, "user flash access"},
  {0xE0, "SENXOR_ID_0", FALSE, "production year (+2000)"},
  {0xE1, "SENXOR_ID_1", FALSE, "production week"},
  {0xE2, "SENXOR_ID_2", FALSE, "production location"},
  {0xE3, "SENXOR_ID_3", FALSE, "serial number, high byte"},
  {0xE4, "SENXOR_ID_4", FALSE, "serial number, middle byte"},
  {0xE5, "SENXOR_ID_5", FALSE, "serial number, low byte"},
  {0xE6, "SENXOR_ID_6", FALSE, "identity, reserved"},
};

const SenxorRegisterInfo *
senxor_registers (guint *n_out)
{
  if (n_out)
    *n_out = G_N_ELEMENTS (registers);
  return registers;
}

const SenxorRegisterInfo *
senxor_register_lookup (guint8 address)
{
  for (guint i = 0; i < G_N_ELEMENTS (registers); i++)
    if (registers[i].address == address)
      return &registers[i];
  return NULL;
}

gboolean
senxor_register_parse (const char *str, guint8 *address, GError **error)
{
  const char *digits;
  gboolean decimal;
  gsize len;
  unsigned long v;

  g_return_val_if_fail (address != NULL, FALSE);
  if (str == NULL || *str == '\0') {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "Empty register name");
    return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (registers); i++) {
    if (g_ascii_strcasecmp (registers[i].name, str) == 0) {
      *address = registers[i].address;
      return TRUE;
    }
  }
  /* "0xB1" and "B1" are hex; plain decimal only when it cannot be hex
   * (three or more decimal digits, e.g. "177") */
  digits = str;
  if (g_ascii_strncasecmp (str, "0x", 2) == 0)
    digits = str + 2;
  len = strlen (digits);
  decimal = digits == str && len > 2 && strspn (str, "0123456789") == len;
  if (len == 0 || strspn (digits, decimal ? "0123456789" :
          "0123456789abcdefABCDEF") != len) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "Unknown register '%s': use a name such as FRAME_MODE or an address "
        "such as 0xB1", str);
    return FALSE;
  }
  v = strtoul (digits, NULL, decimal ? 10 : 16);
  if (v > 0xFF) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "Register address '%s' is out of range: addresses are 0x00 to 0xFF", str);
    return FALSE;
  }
  *address = (guint8) v;
  return TRUE;
}
