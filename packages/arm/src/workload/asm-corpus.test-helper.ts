// GNU-syntax instructions covering every encoder of Program (one instruction per line, no
// labels): asm.test.ts assembles them with Program and, when binutils are installed, with
// aarch64-linux-gnu-as, and compares the words.

export const CORPUS: readonly string[] = [
  // add/sub immediate, shifted and extended register
  "add x0, x1, #1", "add w3, w4, #4095", "add x5, sp, #16", "add sp, sp, #0x100", "add x0, x1, #1, lsl #12", "add x2, x3, #0x7000",
  "adds x0, x1, #7", "sub x0, x1, #8", "subs w0, w1, #255", "sub sp, sp, #32", "add x0, x1, #-3", "cmp x0, #12", "cmn w3, #1", "cmp sp, #0",
  "add x0, x1, x2", "add w0, w1, w2, lsl #5", "add x0, x1, x2, asr #63", "sub x3, x4, x5, lsr #1", "subs x0, x0, x1", "adds w9, w10, w11, asr #31",
  "add x0, sp, x1", "add sp, sp, x2", "add x0, x1, w2, uxtw", "add x0, x1, w2, sxtw #2", "add x0, x1, x2, sxtx #1", "sub x0, sp, w3, uxtb",
  "adds x0, x1, w2, uxth #4", "cmp x0, w1, sxtw", "add w0, w1, w2, uxtb #1", "add x0, sp, x1, lsl #3", "cmp x1, x2", "cmp w1, w2, lsl #2", "cmn x1, x2",
  "neg x0, x1", "neg w0, w1, lsl #3", "negs x2, x3", "adc x0, x1, x2", "adcs w0, w1, w2", "sbc x0, x1, x2", "sbcs x0, x1, x2", "ngc x0, x1",
  // logical
  "and x0, x1, #0xff", "and w0, w1, #0x80000001", "orr x0, x1, #0x5555555555555555", "eor x0, x1, #0xfffffffffffffffe", "ands w3, w4, #0xf0f0f0f0",
  "orr sp, x1, #0x10", "tst x0, #1", "tst w0, #0x3f", "and x0, x1, #0x7ffffffffffff", "eor w0, w0, #0x1",
  "and x0, x1, x2", "orr w0, w1, w2, ror #7", "eor x0, x1, x2, lsl #63", "ands x0, x1, x2, lsr #4", "bic x0, x1, x2", "bics w0, w1, w2",
  "orn x0, x1, x2, asr #2", "eon x0, x1, x2", "tst x1, x2", "mvn x0, x1", "mvn w0, w1, lsl #2",
  // moves
  "movz x0, #0x1234", "movz x0, #0x1234, lsl #48", "movz w0, #0xffff, lsl #16", "movn x0, #0", "movn w1, #5", "movk x0, #0xbeef, lsl #32", "movk w2, #1",
  "mov x0, x1", "mov w0, w1", "mov sp, x1", "mov x2, sp", "mov w3, wsp", "mov x0, #0", "mov x0, #-1", "mov w0, #-1", "mov x0, #0x10000", "mov x0, #0xffffffffffff0fff",
  "mov x0, #0x5555555555555555", "mov w0, #0xff00ff00", "mov x9, #0xffff0000ffff0000",
  // bitfield, extract, shifts
  "ubfm x0, x1, #4, #11", "sbfm w0, w1, #0, #7", "bfm x0, x1, #60, #3", "ubfx x0, x1, #8, #8", "sbfx w0, w1, #3, #29", "bfxil x0, x1, #0, #32",
  "ubfiz x0, x1, #4, #12", "sbfiz w0, w1, #31, #1", "bfi x0, x1, #16, #16", "sxtb x0, w1", "sxth w0, w1", "sxtw x0, w1", "uxtb w0, w1", "uxth w0, w1",
  "lsl x0, x1, #3", "lsl w0, w1, #31", "lsr x0, x1, #63", "lsr w0, w1, #1", "asr x0, x1, #7", "asr w0, w1, #0", "ror x0, x1, #13", "ror w0, w1, #31",
  "lsl x0, x1, x2", "lsr w0, w1, w2", "asr x0, x1, x2", "ror x0, x1, x2", "lslv x0, x1, x2", "rorv w0, w1, w2",
  "extr x0, x1, x2, #17", "extr w0, w1, w2, #31",
  // one, two and three sources
  "rbit x0, x1", "rbit w0, w1", "rev x0, x1", "rev w0, w1", "rev16 x0, x1", "rev16 w0, w1", "rev32 x0, x1", "clz x0, x1", "clz w0, w1", "cls x0, x1",
  "udiv x0, x1, x2", "sdiv w0, w1, w2", "madd x0, x1, x2, x3", "msub w0, w1, w2, w3", "mul x0, x1, x2", "mul w0, w1, w2", "mneg x0, x1, x2",
  "smaddl x0, w1, w2, x3", "umsubl x0, w1, w2, x3", "smull x0, w1, w2", "umull x0, w1, w2", "smulh x0, x1, x2", "umulh x0, x1, x2",
  // conditional
  "csel x0, x1, x2, eq", "csel w0, w1, w2, lt", "csinc x0, x1, x2, ne", "csinv x0, x1, x2, hs", "csneg w0, w1, w2, gt", "cset x0, eq", "cset w0, lo",
  "csetm x0, hi", "cinc x0, x1, ne", "cinv w0, w1, le", "cneg x0, x1, mi",
  "ccmp x0, x1, #4, ne", "ccmp w0, #31, #15, eq", "ccmn x0, #1, #0, ge", "ccmn w0, w1, #2, vs",
  // loads and stores
  "ldr x0, [x1]", "ldr x0, [x1, #8]", "ldr w0, [sp, #16380]", "ldr x0, [x1, #32760]", "ldr x0, [x1, #-8]", "ldr x0, [x1, #3]", "ldr x0, [x1, #16]!",
  "ldr x0, [x1], #-16", "str x0, [x1, #-256]!", "str w0, [x1], #255", "ldrb w0, [x1, #4095]", "strb w0, [x1, #1]", "ldrh w0, [x1, #2]", "strh w0, [x1, #-2]",
  "ldrsb x0, [x1]", "ldrsb w0, [x1, #1]", "ldrsh x0, [x1, #2]", "ldrsh w0, [x1, #-1]", "ldrsw x0, [x1, #4]", "ldrsw x0, [x1], #4",
  "ldur x0, [x1, #8]", "stur w0, [x1, #-4]", "ldurb w0, [x1]", "sturh w0, [x1, #1]", "ldursw x0, [x1, #-5]", "ldursb w0, [x1, #2]",
  "ldr x0, [x1, x2]", "ldr x0, [x1, x2, lsl #3]", "ldr w0, [x1, w2, uxtw]", "ldr w0, [x1, w2, sxtw #2]", "str x0, [x1, x2, sxtx #3]",
  "ldrb w0, [x1, x2]", "ldrb w0, [x1, x2, lsl #0]", "strb w0, [x1, w2, sxtw]", "ldrh w0, [x1, x2, lsl #1]", "ldrsw x0, [x1, w2, uxtw #2]",
  "ldp x0, x1, [x2]", "ldp x0, x1, [sp, #16]", "stp x29, x30, [sp, #-16]!", "ldp x29, x30, [sp], #16", "ldp w0, w1, [x2, #-256]", "stp w0, w1, [x2, #252]",
  "ldpsw x0, x1, [x2, #8]", "stp d0, d1, [sp, #-32]!", "ldp q0, q1, [x0, #32]", "ldp s2, s3, [x4]",
  "ldxr x0, [x1]", "ldxr w0, [x1]", "ldaxr x0, [x1]", "stxr w2, x0, [x1]", "stlxr w2, w0, [x1]", "ldxrb w0, [x1]", "stxrh w3, w0, [x1]",
  "ldxp x0, x1, [x2]", "stxp w3, x0, x1, [x2]", "ldar x0, [x1]", "ldar w0, [sp]", "stlr x0, [x1]", "ldarb w0, [x1]", "stlrh w0, [x1]", "clrex",
  "ldadd x0, x1, [x2]", "ldaddal w0, w1, [x2]", "ldclr x0, x1, [x2]", "ldeora x0, x1, [x2]", "ldsetl x0, x1, [x2]", "swp x0, x1, [x2]", "swpal w0, w1, [sp]",
  "ldaddb w0, w1, [x2]", "cas x0, x1, [x2]", "casal w0, w1, [x2]", "casa x0, x1, [x2]",
  "ldr d0, [x1]", "ldr s0, [x1, #4]", "ldr q0, [x1, #16]", "str d1, [sp, #-8]!", "str q2, [x0], #16", "ldr d3, [x1, x2, lsl #3]", "ldr b0, [x1, #1]", "str h0, [x1, #2]",
  "ldur d0, [x1, #-8]", "ldr q0, [x1, #-16]",
  // system
  "mrs x0, nzcv", "msr nzcv, x1", "mrs x0, daif", "msr daif, x0", "mrs x0, currentel", "mrs x0, mpidr_el1", "msr vbar_el1, x0", "mrs x0, sctlr_el1",
  "msr sctlr_el1, x0", "msr cpacr_el1, x0", "mrs x0, esr_el1", "mrs x0, elr_el1", "msr elr_el1, x1", "mrs x1, spsr_el1", "msr spsr_el1, x1", "mrs x0, far_el1",
  "msr tpidr_el0, x0", "mrs x0, tpidr_el1", "msr tpidr_el1, x0", "mrs x0, sp_el0", "msr sp_el0, x0", "mrs x0, cntvct_el0", "mrs x0, cntfrq_el0",
  "msr cntv_ctl_el0, x0", "msr cntv_cval_el0, x0", "mrs x0, cntv_tval_el0", "msr mair_el1, x0", "msr tcr_el1, x0", "msr ttbr0_el1, x0", "mrs x0, fpcr",
  "msr fpsr, x0", "mrs x0, spsel", "msr icc_sre_el1, x0", "mrs x0, icc_iar1_el1", "msr icc_eoir1_el1, x0", "msr icc_pmr_el1, x0", "msr icc_igrpen1_el1, x0",
  "mrs x3, s3_0_c15_c2_1",
  "msr daifset, #2", "msr daifclr, #15", "msr spsel, #1", "svc #0", "svc #0xffff", "hvc #0", "smc #1", "brk #0x3e8", "hlt #0xf000", "eret",
  "nop", "wfi", "wfe", "sev", "sevl", "yield", "dmb ish", "dmb sy", "dsb sy", "dsb ishst", "isb",
  "dc zva, x0", "dc civac, x1", "dc cvac, x2", "dc cvau, x3", "dc ivac, x4", "ic iallu", "ic ialluis", "ic ivau, x5",
  // floating point
  "fmov d0, d1", "fmov s0, s1", "fmov x0, d1", "fmov d1, x0", "fmov w0, s1", "fmov s1, w0", "fmov d0, xzr", "fmov x0, v1.d[1]", "fmov v2.d[1], x3",
  "fmov d0, #1.0", "fmov d0, #-2.5", "fmov s0, #0.125", "fmov d3, #31.0", "fmov s1, #-1.9375",
  "fadd d0, d1, d2", "fadd s0, s1, s2", "fsub d0, d1, d2", "fmul s3, s4, s5", "fdiv d0, d1, d2", "fmax d0, d1, d2", "fmin s0, s1, s2", "fmaxnm d0, d1, d2",
  "fminnm d0, d1, d2", "fnmul d0, d1, d2", "fabs d0, d1", "fneg s0, s1", "fsqrt d0, d1", "fsqrt s0, s1", "fcvt d0, s1", "fcvt s0, d1",
  "frintn d0, d1", "frintm s0, s1", "frintp d0, d1", "frintz d0, d1", "frinta d0, d1", "frintx d0, d1", "frinti s0, s1",
  "fmadd d0, d1, d2, d3", "fmsub s0, s1, s2, s3", "fnmadd d0, d1, d2, d3", "fnmsub d0, d1, d2, d3",
  "fcmp d0, d1", "fcmp s0, #0.0", "fcmpe d0, d1", "fcmpe d2, #0.0", "fcsel d0, d1, d2, gt", "fcsel s0, s1, s2, eq",
  "fcvtzs x0, d1", "fcvtzs w0, d1", "fcvtzs x0, s1", "fcvtzu x0, d1", "fcvtzu w0, s1", "fcvtns x0, d1", "fcvtms w0, d1", "fcvtps x0, s1", "fcvtas x0, d1", "fcvtau w0, d0",
  "scvtf d0, x1", "scvtf s0, w1", "scvtf d0, w1", "ucvtf d0, x1", "ucvtf s0, x1",
  // Advanced SIMD bits
  "mov v0.16b, v1.16b", "orr v0.8b, v1.8b, v2.8b", "and v0.16b, v1.16b, v2.16b", "eor v3.16b, v4.16b, v5.16b", "bic v0.16b, v1.16b, v2.16b",
  "add v0.2d, v1.2d, v2.2d", "add v0.4s, v1.4s, v2.4s", "sub v0.8h, v1.8h, v2.8h", "add v0.8b, v1.8b, v2.8b",
  "umov w0, v1.s[1]", "mov x0, v1.d[1]", "umov w0, v1.b[15]", "mov v1.d[1], x0", "ins v1.s[2], w0", "dup v0.2d, x1", "dup v0.4s, w1", "dup v0.16b, w1",
];

/** A program with forward and backward references, for a whole-image comparison. */
export const LABELLED_SOURCE = `
start:
  adr x0, data
  adrp x1, data
  add x1, x1, :lo12:data
  b forward
back:
  cbz x0, start
  cbnz w1, forward
  tbz x2, #40, back
  tbnz w3, #3, forward
  b.ne back
  b.hs forward
  bl back
  ldr x4, lit
  ldr w5, lit
  ldrsw x6, lit
  ldr d7, lit
  ldr q8, lit16
forward:
  b.eq start
  ret
  br x3
  blr x4
  .balign 16
lit16:
  .quad 0
lit:
  .quad data
data:
  .quad 0x1122334455667788
`;
