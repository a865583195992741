# Fuzzing (make fuzz [FUZZ_SECS=60] [FUZZ_TARGETS="record rules ..."]): a
# libFuzzer target for every reader of outside input (tests/fuzz/fuzz_*.c),
# built with clang, AddressSanitizer and UBSan; included by the top Makefile.
# See tests/fuzz/README.md.
FUZZ_OUT   := $(OUT)/fuzz
FUZZ_CC    ?= clang
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) $(filter-out -O2 -g,$(CFLAGS))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
FUZZ_OBJS  := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS))

$(FUZZ_OUT)/obj/%.o: %.c $(HDRS) $(SKELS) $(OUT)/rules.txt
	$(call msg,FUZZCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_OUT)/obj/src/rules_embed.o: src/rules_embed.c $(OUT)/rules.txt
	$(call msg,FUZZCC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DNT_RULES_TXT='"$(OUT)/rules.txt"' \
		-c -o $@ $<

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LIBS) -lpthread

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)tests/fuzz/run.sh

.PHONY: fuzz fuzz-build
