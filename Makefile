# nettrace — one entry point.  make [V=1] [STATIC=1] | make test | make check-unit | make install
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

OUT      ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PREFIX   ?= /usr/local
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1)
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	    -std=gnu11 -D_GNU_SOURCE -DNT_VERSION='"$(VERSION)"' \
	    -I. -I$(OUT) -I/usr/include/tracefs -I/usr/include/traceevent
LIBS     := -ltracefs -ltraceevent -lbpf -lelf -lz
ifeq ($(STATIC),1)
LDFLAGS  += -static
LIBS     += -lpthread -ldl
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -D__NETTRACE_BPF__ \
	      -Wall -Wno-unused-function -I. -Ibpf

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

LIB_SRCS   := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard backends/*.c) $(wildcard compat/*.c)
LIB_OBJS   := $(patsubst %.c,$(OUT)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ   := $(OUT)/obj/src/main.o
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_OBJS  := $(patsubst %.c,$(OUT)/obj/%.o,$(UNIT_SRCS))
HELPERS    := $(patsubst tests/helpers/%.c,$(OUT)/tests/%,$(wildcard tests/helpers/*.c))
HDRS       := $(wildcard src/*.h backends/*.h compat/*.h bpf/*.h)

all: $(OUT)/nettrace

$(OUT)/nettrace: $(MAIN_OBJ) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(OUT)/obj/%.o: %.c $(HDRS) $(SKELS) | $(OUT)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

# the rule library, embedded by src/rules_embed.c
RULE_FILES := $(sort $(wildcard rules/*.rules))
$(OUT)/rules.txt: $(RULE_FILES) | $(OUT)
	$(call msg,RULES,$@)
	$(Q)for f in $(RULE_FILES); do echo "#@file $$f"; cat "$$f"; echo; done > $@

$(OUT)/obj/src/rules_embed.o: src/rules_embed.c $(OUT)/rules.txt
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -DNT_RULES_TXT='"$(OUT)/rules.txt"' -c -o $@ $<

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c bpf/*.h | $(OUT)
	$(call msg,CLANG,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(OUT):
	$(Q)mkdir -p $(OUT)

# ---- tests ----------------------------------------------------------------
$(OUT)/unit-tests: $(UNIT_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(OUT)/tests/%: tests/helpers/%.c | $(OUT)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

test-build: $(OUT)/nettrace $(OUT)/unit-tests $(HELPERS)

check-unit: $(OUT)/unit-tests
	$(Q)$(OUT)/unit-tests

test: test-build
	$(Q)tests/run.sh

# man/dropreason.8 is written from the rules; tests check the two agree
man: $(OUT)/nettrace
	$(OUT)/nettrace --dropreason-man > man/dropreason.8

install: $(OUT)/nettrace
	install -D -m 0755 $(OUT)/nettrace $(DESTDIR)$(PREFIX)/sbin/nettrace
	install -D -m 0644 man/nettrace.8 $(DESTDIR)$(PREFIX)/share/man/man8/nettrace.8
	test ! -f man/dropreason.8 || install -D -m 0644 man/dropreason.8 $(DESTDIR)$(PREFIX)/share/man/man8/dropreason.8

clean:
	rm -rf $(OUT)

.PHONY: all test test-build check-unit install clean man

# sub-makefiles: VM tests (tests/vm) and benchmarks (bench)
-include tests/vm/vm.mk bench/bench.mk
