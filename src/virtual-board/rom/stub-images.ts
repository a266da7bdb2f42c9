/**
 * The flasher stubs esptool-js ships (node_modules/esptool-js/lib/targets/stub_flasher/*.json, esptool-js
 * 0.7.0): where each loads, where it starts, and a SHA-256 of its text and data segments as decoded from
 * the JSON's base64. The chip identifies what was loaded into its RAM by these hashes: only the stub built
 * for it (and, on the ESP32-P4, for its revision: esptool-js's stubFlasher.js takes esp32p4-rev1.json
 * below v3.0) runs; anything else is code for another CPU or memory map, and the chip crashes.
 *
 * (Other builds of the same stub, esptool's Python package's for instance, would run on a real chip too;
 * only the ones esptool-js, and so ESP Web Tools and the portal, upload are known here.)
 *
 * Generated from those JSON files; test/virtual-board/stub-images.test.ts recomputes every row from them
 * and fails (printing the new rows) when esptool-js's stubs change.
 */
export interface ShippedStub {
  file: string;
  /** The chip esptool-js uploads it to (esptool's CHIP_NAME). */
  chip: string;
  /** Chip revisions (major * 100 + minor) it is for, [from, below); every revision when absent. */
  revisions?: readonly [number, number];
  entry: number;
  textStart: number;
  textSha256: string;
  dataStart: number;
  dataSha256: string;
}

export const SHIPPED_STUBS: readonly ShippedStub[] = [
  {
    file: "esp32.json",
    chip: "ESP32",
    entry: 0x400a902c,
    textStart: 0x400a8000,
    textSha256: "fc5fb606754d152b9b9e4f20c72fdad83d1d99b1b139744bc53cc160b1edd570",
    dataStart: 0x3ffded6c,
    dataSha256: "580837cfef9d57b223a4d30cf634dad72f1fdcc19b499ca62b514b487a0c3438",
  },
  {
    file: "esp32c2.json",
    chip: "ESP32-C2",
    entry: 0x40380f90,
    textStart: 0x40380000,
    textSha256: "69e484070942074e7af2d2c5ea5f90e97b619357d44484dfc84e1d89ae639c8b",
    dataStart: 0x3fcb6d6c,
    dataSha256: "d00a26f5623c265cad0818c74cbe676508b7185acc949d547f36b774fb137ff4",
  },
  {
    file: "esp32c3.json",
    chip: "ESP32-C3",
    entry: 0x40380e9a,
    textStart: 0x40380000,
    textSha256: "c06cc1a34a02d8f8755692cf89843b388978d19a255b0d9c26b10a0f41a90ffb",
    dataStart: 0x3fc96d68,
    dataSha256: "2cb1bc0835895d6818c8c2c6a32dacd248f8b78b0cd0a8dc500c7f1c300ec979",
  },
  {
    file: "esp32c5.json",
    chip: "ESP32-C5",
    entry: 0x408015d2,
    textStart: 0x40800000,
    textSha256: "c43fbce8a06d2c793ba657bced32a1af38a1eb5a1d5731eeeef4ee67b301139c",
    dataStart: 0x40852f0c,
    dataSha256: "3bc5a23260d71427614863ae78c78c296c34c6161ece47377d512908947e8cf3",
  },
  {
    file: "esp32c6.json",
    chip: "ESP32-C6",
    entry: 0x408011bc,
    textStart: 0x40800000,
    textSha256: "904a314959d712695b699b08873a428c2080e0ce6dc17ebf7657449ea84383d4",
    dataStart: 0x40852f0c,
    dataSha256: "233537a626b36b1b635a0551ca2f0157fae5a31298db51661f24bd3177308d38",
  },
  {
    file: "esp32c61.json",
    chip: "ESP32-C61",
    entry: 0x40801130,
    textStart: 0x40800000,
    textSha256: "85f086b45a996d6c2f8e8b7b28ab64db7d5541ef9d8ac2750ceebf13c51fedda",
    dataStart: 0x40816d68,
    dataSha256: "b95bbacab04e4053c5df146234a3e0aadd6d959e236c7f0212534b950fab7a3d",
  },
  {
    file: "esp32h2.json",
    chip: "ESP32-H2",
    entry: 0x40800e92,
    textStart: 0x40800000,
    textSha256: "a177fb52a62156a15f8959f70adacbf02d896c3593f814760b4008ec6df22ee9",
    dataStart: 0x40842d68,
    dataSha256: "e240596b98aa14c23511905ca26dcdfed5a85eb4a9597dcbdcb3320aedac10a0",
  },
  {
    file: "esp32h4.json",
    chip: "ESP32-H4",
    entry: 0x40810e92,
    textStart: 0x40810000,
    textSha256: "b4b50210e02e3d781f970e671779722ac886ad54b63977cc5ca7344ac7388f38",
    dataStart: 0x40842d68,
    dataSha256: "654dde98d97a45fca789a4f9fa5b4891188b75aae72b6db1391ece0eb98c30db",
  },
  {
    file: "esp32p4-rev1.json",
    chip: "ESP32-P4",
    revisions: [0, 300],
    entry: 0x4ff11456,
    textStart: 0x4ff10000,
    textSha256: "60a6e7036d578f1a7b5e4c78e0f2183643d9d30bb9bedb6f7c4b964a40957bdc",
    dataStart: 0x4ff62db8,
    dataSha256: "4c4c467a1c65e6c296c96a66cdea31b8823616121d6027a64e63467d1ace5403",
  },
  {
    file: "esp32p4.json",
    chip: "ESP32-P4",
    revisions: [300, Infinity],
    entry: 0x4ff51456,
    textStart: 0x4ff50000,
    textSha256: "16b0c6e425c4ca8dce5a0cc52d1df35b3fc16aa1c6fa5a7512ff9ce1514bbf3d",
    dataStart: 0x4ff72db8,
    dataSha256: "f53b0e3ffa63dd205f7cfabce9bdfe933477d2c64df7ab149852379b24af1af1",
  },
  {
    file: "esp32s2.json",
    chip: "ESP32-S2",
    entry: 0x400290a4,
    textStart: 0x40028000,
    textSha256: "2f9d78912aabf158d013c6162becdd85967dd4794032012f3600228cddec5ef9",
    dataStart: 0x3ffe2dc0,
    dataSha256: "bb9dd2ee4821aad523bc3cd52a150d69e560d30244c45b5aff3d19b06faf5d32",
  },
  {
    file: "esp32s3.json",
    chip: "ESP32-S3",
    entry: 0x40379524,
    textStart: 0x40378000,
    textSha256: "c37a7d12d52633fd629fbed13f3a7418216af368d8e80f17853ce6de29741374",
    dataStart: 0x3fcb2dc0,
    dataSha256: "75be8e20e5c91b2b92cd02be9abe2462436648780e4878ea173598c5ed14df93",
  },
  {
    file: "esp32s31.json",
    chip: "ESP32-S31",
    entry: 0x2f00221e,
    textStart: 0x2f001000,
    textSha256: "8dfb85163adc6666124bb8927bcce4f706f9698510584e20223ab92bb64770af",
    dataStart: 0x2f01cdb8,
    dataSha256: "a235d548c7d53adf23799cb96c2b523fcdf7cc5f955f6a1ad681a8e1d92d8d2f",
  },
  {
    file: "esp8266.json",
    chip: "ESP8266",
    entry: 0x4010c504,
    textStart: 0x4010c500,
    textSha256: "37c16091ff165ffe760353a8e92d07f55927e34d01fb5fc04c18b5525c13f8f6",
    dataStart: 0x3fffae6c,
    dataSha256: "de5922ffd2c868b51c4eec1fb74459f31adb2975f7514459a91ac2ffed65f737",
  },
];
