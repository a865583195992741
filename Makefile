# nettrace — one entry point.  make [V=1] [STATIC=1] | make test | make check-unit | make install | make deb
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

OUT      ?= build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
STRIP    ?= strip
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
# x86: copies and clears of a bounded size (an event, a line's pieces) as
# plain moves up to 256/512 bytes, else libc's: gcc's default for them,
# rep movs/stos, is slow to start for short strings, and this made the
# tracefs reader 20% faster under a drop flood (bench/README.md)
STROPS   := -mmemcpy-strategy=unrolled_loop:256:noalign,libcall:-1:noalign \
	    -mmemset-strategy=unrolled_loop:512:noalign,libcall:-1:noalign
ifeq ($(ARCH)$(shell $(CC) $(STROPS) -E -x c /dev/null >/dev/null 2>&1 && echo y),x86y)
CFLAGS   += $(STROPS)
endif
LIBS     := -ltracefs -ltraceevent -lbpf -lelf -lz
ifeq ($(STATIC),1)
LDFLAGS  += -static
LIBS     += -lpthread -ldl
else ifeq ($(shell pkg-config --exists libtracecmd 2>/dev/null && echo y),y)
# --input trace.dat (backends/tracecmd.c); Debian ships no static libtracecmd
CFLAGS   += -DNT_HAVE_TRACECMD -I/usr/include/trace-cmd
LIBS     := -ltracecmd $(LIBS)
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
ifeq ($(STATIC),1)
all: $(OUT)/nettrace.stripped
endif

$(OUT)/nettrace: $(MAIN_OBJ) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# the static binary without symbols or debug info (deploy/Containerfile)
$(OUT)/nettrace.stripped: $(OUT)/nettrace
	$(call msg,STRIP,$@)
	$(Q)$(STRIP) --strip-all -o $@ $<

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
	install -D -m 0644 deploy/nettrace.bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nettrace
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|/usr/sbin/nettrace|$(PREFIX)/sbin/nettrace|' deploy/nettrace-monitor.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/nettrace-monitor.service

# ---- Debian package: make deb [OUT=dir] [STATIC=1] ---------------------------
# Staged in $(OUT)/deb/debian/nettrace.  The dynamic binary (default) gets its
# Depends from dpkg-shlibdeps; a STATIC=1 binary needs none.  Debian versions
# start with a digit and have no '-' without a revision: v1.2-3-gabc becomes
# 1.2+3+gabc, a bare commit e20c3ff-dirty becomes 0~gite20c3ff+dirty.
DEB_VERSION := $(shell echo '$(VERSION)' | sed -E -e 's/^v//' -e 's/[^A-Za-z0-9.+~]+/+/g' \
		 -e '/^[0-9]+(\.[0-9]+)*([+~]|$$)/!s/^/0~git/')
DEB_ARCH     = $(shell dpkg --print-architecture)
DEB_MAINT   ?= nettrace developers <nettrace@invalid>
DEB_DIR     := $(OUT)/deb
DEB_ROOT    := $(DEB_DIR)/debian/nettrace

deb: $(OUT)/nettrace
	$(call msg,DEB,$(DEB_DIR)/nettrace_$(DEB_VERSION)_$(DEB_ARCH).deb)
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_ROOT)/DEBIAN
	$(Q)install -D -s --strip-program=$(STRIP) -m 0755 $(OUT)/nettrace $(DEB_ROOT)/usr/sbin/nettrace
	$(Q)install -D -m 0644 man/nettrace.8 $(DEB_ROOT)/usr/share/man/man8/nettrace.8
	$(Q)$(OUT)/nettrace --dropreason-man > $(DEB_ROOT)/usr/share/man/man8/dropreason.8
	$(Q)gzip -9n $(DEB_ROOT)/usr/share/man/man8/*.8
	$(Q)install -D -m 0644 deploy/nettrace.bash-completion \
		$(DEB_ROOT)/usr/share/bash-completion/completions/nettrace
	$(Q)install -D -m 0644 deploy/nettrace-monitor.service \
		$(DEB_ROOT)/lib/systemd/system/nettrace-monitor.service
	$(Q)install -D -m 0644 deploy/copyright $(DEB_ROOT)/usr/share/doc/nettrace/copyright
	$(Q)printf 'Source: nettrace\n\nPackage: nettrace\nArchitecture: any\n' > $(DEB_DIR)/debian/control
	$(Q)cd $(DEB_DIR) && dpkg-shlibdeps -O -edebian/nettrace/usr/sbin/nettrace \
		>debian/substvars 2>debian/shlibdeps.log || { cat debian/shlibdeps.log; exit 1; }
	$(Q)deps=$$(sed -n 's/^shlibs:Depends=//p' $(DEB_DIR)/debian/substvars); \
	{ echo "Package: nettrace"; echo "Version: $(DEB_VERSION)"; \
	  echo "Architecture: $(DEB_ARCH)"; echo "Maintainer: $(DEB_MAINT)"; \
	  echo "Installed-Size: $$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)"; \
	  if [ -n "$$deps" ]; then echo "Depends: $$deps"; fi; \
	  echo "Section: net"; echo "Priority: optional"; \
	  echo "Description: trace packets through the Linux kernel and monitor drops"; \
	  echo " nettrace follows packets through the kernel's network stack, tells why"; \
	  echo " a packet was dropped (drop reason, kernel function, fix advice) and,"; \
	  echo " in monitor mode, serves drop counters to Prometheus.  It uses BPF"; \
	  echo " where the kernel allows it, else tracefs."; \
	} > $(DEB_ROOT)/DEBIAN/control
	$(Q)dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) \
		$(DEB_DIR)/nettrace_$(DEB_VERSION)_$(DEB_ARCH).deb >/dev/null

clean:
	rm -rf $(OUT)

.PHONY: all test test-build check-unit install clean man deb

# sub-makefiles: VM tests (tests/vm), benchmarks (bench), fuzzing (tests/fuzz)
-include tests/vm/vm.mk bench/bench.mk tests/fuzz/fuzz.mk
