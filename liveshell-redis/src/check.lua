-- liveshell-redis: one replay-guard check, atomic. The same step as liveshell's
-- `reconnect::ReplayWindow::check`, plus the guard's least-recently-seen client cap.
--
-- KEYS[1] the client's state: 24 bytes, big-endian base (u64) then seen (u128)
-- KEYS[2] the namespace's clients by recency (sorted set: escaped id -> tick)
-- KEYS[3] the namespace's tick counter
-- KEYS[4] the namespace's count of clients evicted by the cap
-- KEYS[5] the namespace's epoch
-- ARGV[1], ARGV[2] the sequence number's high and low 32 bits
-- ARGV[3] the escaped client id   ARGV[4] the prefix of client keys
-- ARGV[5] the TTL in milliseconds ARGV[6] the client cap   ARGV[7] the caller's epoch
-- Returns 1 (fresh), 0 (duplicate) or -1 (the epoch is not the caller's: state was lost).
--
-- Lua numbers are doubles, so 64- and 128-bit values are kept as 32-bit limbs: every
-- intermediate stays below 2^53 and is exact.

if redis.call('GET', KEYS[5]) ~= ARGV[7] then
  return -1
end

local P = 4294967296
local floor = math.floor
local sh, sl = tonumber(ARGV[1]), tonumber(ARGV[2])
local bh, bl = 0, 0
local s = {0, 0, 0, 0} -- seen, least significant limb first

local raw = redis.call('GET', KEYS[1])
local known = raw ~= false
if known then
  if #raw ~= 24 then
    return redis.error_reply('LIVESHELL_STATE the state of a client is not 24 bytes')
  end
  local b = {string.byte(raw, 1, 24)}
  local function limb(i)
    return ((b[i] * 256 + b[i + 1]) * 256 + b[i + 2]) * 256 + b[i + 3]
  end
  bh, bl = limb(1), limb(5)
  s = {limb(21), limb(17), limb(13), limb(9)}
end

-- seen >>= k, for 0 <= k; k >= 128 clears it.
local function shr(k)
  if k >= 128 then
    s = {0, 0, 0, 0}
    return
  end
  local q, r = floor(k / 32), k % 32
  local out = {}
  for i = 1, 4 do
    local lo, hi = s[i + q] or 0, s[i + q + 1] or 0
    if r == 0 then
      out[i] = lo
    else
      local m = 2 ^ r
      out[i] = floor(lo / m) + (hi % m) * (P / m)
    end
  end
  s = out
end

-- Moves base over the run of delivered numbers just above it (never past 2^64 - 1).
local function advance()
  local run = 0
  for i = 1, 4 do
    local v = s[i]
    if v == P - 1 then
      run = run + 32
    else
      while v % 2 == 1 do
        v = (v - 1) / 2
        run = run + 1
      end
      break
    end
  end
  if bh == P - 1 and run > P - 1 - bl then
    run = P - 1 - bl
  end
  if run > 0 then
    shr(run)
    bl = bl + run
    if bl >= P then
      bl, bh = bl - P, bh + 1
    end
  end
end

local function step()
  if sh < bh or (sh == bh and sl <= bl) then
    return 0
  end
  -- d = seq - base, as two limbs
  local dh, dl = sh - bh, sl - bl
  if dl < 0 then
    dl, dh = dl + P, dh - 1
  end
  if dh > 0 or dl > 128 then
    -- Slide so seq is the window's top; what is skipped counts as delivered.
    local xh, xl = dh, dl - 128
    if xl < 0 then
      xl, xh = xl + P, xh - 1
    end
    if xh > 0 then
      shr(128)
    else
      shr(xl)
    end
    bh, bl = sh, sl - 128
    if bl < 0 then
      bl, bh = bl + P, bh - 1
    end
    advance()
    dh, dl = sh - bh, sl - bl
    if dl < 0 then
      dl, dh = dl + P, dh - 1
    end
  end
  local bit = dl - 1
  local i, m = floor(bit / 32) + 1, 2 ^ (bit % 32)
  if floor(s[i] / m) % 2 == 1 then
    return 0
  end
  s[i] = s[i] + m
  advance()
  return 1
end

local verdict = step()

local function bytes(v)
  return floor(v / 16777216) % 256, floor(v / 65536) % 256, floor(v / 256) % 256, v % 256
end
local state = string.char(bytes(bh)) .. string.char(bytes(bl)) .. string.char(bytes(s[4]))
  .. string.char(bytes(s[3])) .. string.char(bytes(s[2])) .. string.char(bytes(s[1]))
local ttl = ARGV[5]
redis.call('SET', KEYS[1], state, 'PX', ttl)

-- Recency and the cap: every check makes its client the most recently seen; a client new to
-- the namespace evicts the least recently seen beyond the cap. A member whose state already
-- expired is removed without counting as evicted.
local tick = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], tick, ARGV[3])
if not known then
  local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[6])
  while excess > 0 do
    local oldest = redis.call('ZPOPMIN', KEYS[2])
    if redis.call('DEL', ARGV[4] .. oldest[1]) == 1 then
      redis.call('INCR', KEYS[4])
    end
    excess = excess - 1
  end
end
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
return verdict
