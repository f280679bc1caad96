-- dockerfile-ls for Neovim.
--
-- Neovim 0.11+:   require('dockerfile_ls').setup()   (uses vim.lsp.config / vim.lsp.enable)
-- nvim-lspconfig: require('dockerfile_ls').lspconfig()
-- Older Neovim:   require('dockerfile_ls').start()   from a FileType autocmd (vim.lsp.start_client)

local M = {}

M.config = {
  name = 'dockerfile-ls',
  cmd = { 'dockerfile-ls', '--stdio' },
  filetypes = { 'dockerfile' },
  root_markers = { 'Dockerfile', 'Containerfile', '.dockerfile-ls.toml', '.git' },
  settings = { ['dockerfile-ls'] = {} },
}

-- Containerfile and *.Dockerfile are not detected as dockerfile by every Neovim version.
function M.filetypes()
  if vim.filetype and vim.filetype.add then
    vim.filetype.add({
      filename = { Containerfile = 'dockerfile' },
      pattern = {
        ['.*%.[Dd]ockerfile'] = 'dockerfile',
        ['Dockerfile%..*'] = 'dockerfile',
        ['Containerfile%..*'] = 'dockerfile',
      },
    })
  end
end

local function root_dir(path)
  local found = vim.fs and vim.fs.find and vim.fs.find(M.config.root_markers, { path = path, upward = true })[1]
  return found and vim.fs.dirname(found) or vim.fn.fnamemodify(path, ':p:h')
end

function M.setup(opts)
  M.filetypes()
  local cfg = vim.tbl_deep_extend('force', M.config, opts or {})
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config('dockerfile_ls', cfg)
    vim.lsp.enable('dockerfile_ls')
  else
    vim.api.nvim_create_autocmd('FileType', {
      pattern = 'dockerfile',
      callback = function(args) M.start(args.buf, cfg) end,
    })
  end
end

-- For nvim-lspconfig users.
function M.lspconfig(opts)
  M.filetypes()
  local configs = require('lspconfig.configs')
  local util = require('lspconfig.util')
  if not configs.dockerfile_ls then
    configs.dockerfile_ls = {
      default_config = {
        cmd = M.config.cmd,
        filetypes = M.config.filetypes,
        root_dir = util.root_pattern(unpack(M.config.root_markers)),
        settings = M.config.settings,
      },
    }
  end
  require('lspconfig').dockerfile_ls.setup(opts or {})
end

-- Neovim 0.7-0.10: start (or reuse) a client and attach it to `bufnr`.
function M.start(bufnr, cfg)
  cfg = cfg or M.config
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  local client_id = vim.lsp.start_client({
    name = cfg.name,
    cmd = cfg.cmd,
    root_dir = root_dir(path),
    settings = cfg.settings,
  })
  if client_id then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  return client_id
end

return M
