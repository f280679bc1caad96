-- End-to-end test of dockerfile-ls in headless Neovim (0.7+), run by server/tests/neovim_e2e.rs:
--   nvim --headless -u NONE -i NONE --cmd 'set rtp+=editors/neovim' -c 'luafile editors/neovim/test/e2e.lua'
-- Environment: DOCKERFILE_LS_BIN (the server), E2E_DIR (a scratch folder), E2E_RESULT (report file).
-- Writes one PASS/FAIL line per check to E2E_RESULT and exits; the Rust test reads the report.

local bin = assert(os.getenv('DOCKERFILE_LS_BIN'), 'DOCKERFILE_LS_BIN')
local dir = assert(os.getenv('E2E_DIR'), 'E2E_DIR')
local report = assert(os.getenv('E2E_RESULT'), 'E2E_RESULT')
local lines = {}

local function check(name, ok, detail)
  -- One line per check: details never carry newlines.
  local d = detail and tostring(detail):gsub('[\r\n]+', ' | ') or nil
  table.insert(lines, (ok and 'PASS ' or 'FAIL ') .. name .. (d and (' -- ' .. d) or ''))
end

local function finish()
  local f = io.open(report, 'w')
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
  vim.cmd('qall!')
end

local function write(path, text)
  local f = io.open(path, 'w')
  f:write(text)
  f:close()
end

local ok, err = pcall(function()
  local dls = require('dockerfile_ls')
  dls.filetypes()

  -- 1. Diagnostics on a naive single-stage file.
  local naive = dir .. '/Dockerfile'
  write(naive, table.concat({
    'FROM node:20',
    'WORKDIR /app',
    'ARG NPM_TOKEN',
    'COPY . .',
    'RUN npm ci',
    'RUN npm run build',
    'EXPOSE 3000',
    'CMD ["node", "dist/server.js"]',
    '',
  }, '\n'))
  vim.cmd('edit ' .. naive)
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'dockerfile'
  local client_id = dls.start(buf, vim.tbl_extend('force', dls.config, { cmd = { bin, '--stdio' } }))
  check('client started', client_id ~= nil)

  local function codes()
    local found = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code then found[tostring(code)] = true end
    end
    return found
  end
  vim.wait(10000, function()
    local c = codes()
    return c.CacheBustingCopy and c.SecretsUsedInArgOrEnv
  end, 50)
  local c = codes()
  local names = vim.tbl_keys(c)
  table.sort(names)
  check('diagnostic CacheBustingCopy', c.CacheBustingCopy == true, table.concat(names, ','))
  check('diagnostic SecretsUsedInArgOrEnv', c.SecretsUsedInArgOrEnv == true, table.concat(names, ','))

  -- 2. The split code action, applied to the buffer.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 8, character = 0 } },
    context = { diagnostics = {}, only = { 'refactor.rewrite' } },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
  local split
  for id, resp in pairs(responses) do
    for _, action in ipairs(resp.result or {}) do
      if action.title and action.title:find('Split into deps', 1, true) then
        split = action
        if not split.edit then
          local resolved = vim.lsp.buf_request_sync(buf, 'codeAction/resolve', split, 10000) or {}
          for _, r in pairs(resolved) do
            if r.result then split = r.result end
          end
        end
      end
    end
  end
  check('split action offered', split ~= nil)
  if split and split.edit then
    vim.lsp.util.apply_workspace_edit(split.edit, 'utf-16')
    local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
    local has_deps = text:find('AS deps', 1, true) ~= nil
    check('split applied: deps stage', has_deps, (not has_deps) and text:gsub('\n', ' | ') or nil)
    check('split applied: runner stage', text:find('AS runner', 1, true) ~= nil)
    check('split applied: non-root user', text:find('\nUSER ', 1, true) ~= nil)
  else
    check('split applied', false, 'no edit in the action')
  end

  -- 3. Completion of stage names after --from= in a multi-stage file.
  local multi = dir .. '/multi.Dockerfile'
  write(multi, table.concat({
    'FROM golang:1.22 AS build',
    'RUN go build -o /out/app .',
    'FROM alpine:3.20 AS certs',
    'FROM scratch',
    'COPY --from=',
    '',
  }, '\n'))
  vim.cmd('edit ' .. multi)
  local buf2 = vim.api.nvim_get_current_buf()
  vim.bo[buf2].filetype = 'dockerfile'
  vim.lsp.buf_attach_client(buf2, client_id)
  vim.wait(500)
  local cparams = {
    textDocument = { uri = vim.uri_from_bufnr(buf2) },
    position = { line = 4, character = 12 },
    context = { triggerKind = 2, triggerCharacter = '=' },
  }
  local cresp = vim.lsp.buf_request_sync(buf2, 'textDocument/completion', cparams, 10000) or {}
  local labels = {}
  for _, resp in pairs(cresp) do
    local items = resp.result and (resp.result.items or resp.result) or {}
    for _, item in ipairs(items) do labels[item.label] = true end
  end
  local got = vim.tbl_keys(labels)
  table.sort(got)
  check('completion offers stage build', labels.build == true, table.concat(got, ','))
  check('completion offers stage certs', labels.certs == true)
  check('completion offers no index for a named stage', labels['0'] == nil)
end)

if not ok then
  check('script error', false, tostring(err))
end
finish()
