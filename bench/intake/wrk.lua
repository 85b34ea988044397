-- Cycles through pre-generated requests (one per line: path \t header lines joined by \1 \t body),
-- each with its own report ids and its own signature. Set REQUESTS=<file> in the environment.
-- With several wrk threads, each thread starts at a different offset.
local requests = {}
local index = 0

local function split(text, sep)
  local parts = {}
  for part in string.gmatch(text, "([^" .. sep .. "]+)") do
    parts[#parts + 1] = part
  end
  return parts
end

local file = assert(io.open(os.getenv("REQUESTS"), "r"))
for line in file:lines() do
  local fields = split(line, "\t")
  local headers = {}
  for _, header in ipairs(split(fields[2], "\1")) do
    local name, value = string.match(header, "^([^:]+): (.*)$")
    headers[name] = value
  end
  requests[#requests + 1] = wrk.format("POST", fields[1], headers, fields[3])
end
file:close()

-- With several wrk threads (THREADS), thread k sends requests k, k + THREADS, k + 2*THREADS, ...:
-- no two threads send the same one. Each round has a file of its own (wrk.py), so a request,
-- and the report ids in it, is sent once, unless a round runs past its file's end (counted).
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  stride = tonumber(os.getenv("THREADS") or "1")
  index = offset or 0
end

function request()
  local chosen = requests[(index % #requests) + 1]
  index = index + stride
  return chosen
end
