// Vietnamese first; English on request. The API's own error_description is shown as is.
const KEY = "kyso.lang";

const vi = {
  brand: "kyso — Ký số từ xa", consoleBrand: "kyso — Bảng điều khiển nghiệp vụ",
  skip: "Bỏ qua đến nội dung chính", switchLang: "English", logout: "Đăng xuất",
  loginTitle: "Đăng nhập", login: "Tên đăng nhập, số điện thoại hoặc email",
  password: "Mật khẩu", signIn: "Đăng nhập", expired: "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
  loggedOut: "Bạn đã đăng xuất.", networkError: "Không kết nối được máy chủ. Vui lòng thử lại.",
  unknownError: "Đã có lỗi xảy ra.", required: "Vui lòng nhập thông tin này.",
  navHome: "Trang chủ", navTx: "Giao dịch chờ xác nhận", navSign: "Ký tài liệu",
  navBuy: "Mua gói dịch vụ", navParties: "Bên tin cậy", navAccount: "Tài khoản",
  hello: "Xin chào", smartotp: "SmartOTP", otpMethod: "Phương thức xác thực",
  tokenStatus: "Trạng thái SmartOTP", device: "Thiết bị", activatedAt: "Kích hoạt lúc",
  st_none: "Chưa đăng ký", st_pending: "Chờ kích hoạt", st_active: "Đang hoạt động", st_locked: "Đã khóa",
  m_smartotp: "SmartOTP", m_sms: "SMS OTP", methods: "Các phương thức", username: "Tên đăng nhập",
  nSignatures: "{n} lượt ký", lockedMethod: "Đã khóa",
  certs: "Chứng thư số", noCerts: "Bạn chưa có chứng thư số.", subject: "Chủ thể",
  serial: "Số hiệu", validTo: "Hiệu lực đến", package: "Gói dịch vụ", available: "Lượt ký khả dụng",
  unlimited: "Không giới hạn", status: "Trạng thái", inbox: "Thông báo", noNotes: "Không có thông báo.",
  markAll: "Đánh dấu đã đọc tất cả", unread: "Chưa đọc",
  txTitle: "Giao dịch chờ xác nhận", noTx: "Không có giao dịch nào chờ xác nhận.",
  kind: "Loại giao dịch", createdAt: "Tạo lúc", expiresAt: "Hết hạn lúc", question: "Mã thử thách",
  otp: "Mã OTP", confirm: "Xác nhận", reject: "Từ chối", refresh: "Làm mới",
  confirmed: "Giao dịch đã được xác nhận.", rejected: "Giao dịch đã bị từ chối.",
  smartotpHint: "Nhập mã xác nhận do ứng dụng SmartOTP tạo cho mã thử thách này (hoặc chạy «kyso app confirm» trên thiết bị của bạn).",
  smsHint: "Nhập mã OTP đã gửi qua SMS đến số điện thoại của bạn.",
  k_contact_change: "Thay đổi thông tin liên hệ", k_smartotp_pin_change: "Đổi PIN SmartOTP",
  k_sign_document: "Ký tài liệu", k_sp769_sign: "Yêu cầu ký từ bên tin cậy",
  k_onboarding_contract: "Ký hợp đồng dịch vụ", k_onboarding_acceptance: "Biên bản nghiệm thu",
  d_relying_party: "Bên tin cậy", d_transaction_desc: "Nội dung giao dịch", d_doc_ids: "Mã tài liệu",
  d_files_sha256: "Mã băm các tệp (SHA-256)", d_file_name: "Tên tệp", d_sha256: "Mã băm (SHA-256)",
  d_description: "Nội dung", d_phone: "Số điện thoại mới", d_email: "Email mới",
  signTitle: "Ký tài liệu PDF", file: "Tệp PDF", level: "Mức chữ ký",
  visible: "Hiển thị dấu chữ ký trên trang", reason: "Lý do ký", location: "Nơi ký",
  upload: "Tải lên và ký", needPdf: "Vui lòng chọn một tệp PDF.", notPdf: "Tệp không phải PDF.",
  tooBig: "Tệp vượt quá dung lượng cho phép.", confirmSign: "Xác nhận ký bằng mã OTP",
  signed: "Tài liệu đã được ký.", download: "Tải tài liệu đã ký", recentDocs: "Tài liệu gần đây",
  validateTitle: "Kiểm tra chữ ký PDF", validate: "Kiểm tra", reportValid: "Tất cả chữ ký hợp lệ.",
  reportInvalid: "Có chữ ký không hợp lệ.", noSignatures: "Tài liệu không có chữ ký.",
  signer: "Người ký", signingTime: "Thời điểm ký", integrity: "Toàn vẹn", trusted: "Tin cậy",
  revocation: "Thu hồi", timestamp: "Dấu thời gian", coverage: "Phạm vi", yes: "Có", no: "Không",
  buyTitle: "Gói dịch vụ", priceVat: "Giá (đã gồm VAT)", signatures: "Số lượt ký",
  term: "Thời hạn", months: "{n} tháng", buy: "Mua", forCert: "Cho chứng thư số",
  orders: "Đơn hàng của bạn", noOrders: "Chưa có đơn hàng.", amount: "Số tiền", payNow: "Thanh toán",
  order: "Mã đơn", os_pending: "Chờ thanh toán", os_fulfilled: "Đã hoàn tất",
  os_awaiting_issuance: "Đã thanh toán, chờ cấp chứng thư số", os_failed: "Thanh toán không thành công",
  os_cancelled: "Đã hủy", os_expired: "Đã hết hạn", redirecting: "Đang chuyển đến trang thanh toán…",
  partiesTitle: "Bên tin cậy", partiesHint: "Cho phép bên tin cậy xem chứng thư số và gửi yêu cầu ký cho bạn.",
  allowed: "Đã cho phép từ {at}", notAllowed: "Chưa cho phép", allow: "Cho phép", disallow: "Thu hồi",
  publicService: "Dịch vụ công",
  accountTitle: "Tài khoản", fullName: "Họ và tên", phone: "Số điện thoại", email: "Email",
  changePassword: "Đổi mật khẩu", oldPassword: "Mật khẩu hiện tại", newPassword: "Mật khẩu mới",
  save: "Lưu", passwordChanged: "Đã đổi mật khẩu.", sessions: "Phiên đăng nhập",
  thisSession: "Phiên này", revoke: "Đăng xuất phiên", lastSeen: "Hoạt động gần nhất",
  contactChange: "Thay đổi thông tin liên hệ", newPhone: "Số điện thoại mới", newEmail: "Email mới",
  needContact: "Nhập số điện thoại mới hoặc email mới.", request: "Gửi yêu cầu",
  txCreated: "Đã tạo giao dịch, vui lòng xác nhận bên dưới.",
  ra: "Hồ sơ chờ thẩm định", support: "Hỗ trợ khách hàng", forbiddenRole: "Tài khoản của bạn không có quyền sử dụng bảng điều khiển nghiệp vụ.",
  noCases: "Không có hồ sơ nào.", open: "Xem", back: "Quay lại", approve: "Phê duyệt",
  reasonReject: "Lý do từ chối", resubmittable: "Cho phép bổ sung hồ sơ", approved: "Đã phê duyệt hồ sơ.",
  rejectedCase: "Đã từ chối hồ sơ.", idNumber: "Số giấy tờ", birthDate: "Ngày sinh", address: "Địa chỉ",
  checks: "Kết quả kiểm tra", images: "Ảnh eKYC", front: "Mặt trước", back_: "Mặt sau", portrait: "Ảnh chân dung",
  state: "Trạng thái hồ sơ", accountId: "Mã tài khoản khách hàng", method: "Phương thức",
  lock: "Khóa", unlock: "Mở khóa", reasonField: "Lý do", done: "Đã thực hiện.",
  supportHint: "Nhập mã tài khoản của khách hàng (xem trong hồ sơ hoặc nhật ký hỗ trợ).",
  details: "Chi tiết", docIds: "Tài liệu",
};

const en = {
  brand: "kyso — Remote signing", consoleBrand: "kyso — Staff console",
  skip: "Skip to main content", switchLang: "Tiếng Việt", logout: "Log out",
  loginTitle: "Log in", login: "Login name, phone or email", password: "Password", signIn: "Log in",
  expired: "Your session has expired. Please log in again.", loggedOut: "You have logged out.",
  networkError: "Cannot reach the server. Please try again.", unknownError: "Something went wrong.",
  required: "Please fill this in.", navHome: "Home", navTx: "Pending confirmations",
  navSign: "Sign a document", navBuy: "Buy a package", navParties: "Relying parties",
  navAccount: "Account", hello: "Hello", otpMethod: "Authentication method",
  tokenStatus: "SmartOTP status", device: "Device", activatedAt: "Activated",
  st_none: "Not registered", st_pending: "Awaiting activation", st_active: "Active", st_locked: "Locked",
  m_sms: "SMS OTP", methods: "Methods", username: "Login name", nSignatures: "{n} signatures",
  lockedMethod: "Locked", certs: "Certificates", noCerts: "You have no certificate yet.",
  subject: "Subject", serial: "Serial", validTo: "Valid until", package: "Package",
  available: "Available signatures", unlimited: "Unlimited", status: "Status", inbox: "Notifications",
  noNotes: "No notifications.", markAll: "Mark all as read", unread: "Unread",
  txTitle: "Pending confirmations", noTx: "Nothing waits for your confirmation.", kind: "Type",
  createdAt: "Created", expiresAt: "Expires", question: "Challenge", otp: "OTP code",
  confirm: "Confirm", reject: "Reject", refresh: "Refresh", confirmed: "The transaction is confirmed.",
  rejected: "The transaction is rejected.",
  smartotpHint: "Type the code your SmartOTP app makes for this challenge (or run “kyso app confirm” on your device).",
  smsHint: "Type the OTP code sent to your phone by SMS.",
  k_contact_change: "Contact change", k_smartotp_pin_change: "SmartOTP PIN change", k_sign_document: "Document signing",
  k_sp769_sign: "Signing request from a relying party", k_onboarding_contract: "Service contract",
  k_onboarding_acceptance: "Acceptance record", d_relying_party: "Relying party",
  d_transaction_desc: "Description", d_doc_ids: "Document IDs", d_files_sha256: "Files digest (SHA-256)",
  d_file_name: "File name", d_sha256: "Digest (SHA-256)", d_description: "Description",
  d_phone: "New phone", d_email: "New email",
  signTitle: "Sign a PDF", file: "PDF file", level: "Signature level",
  visible: "Show a visible stamp on the page", reason: "Reason", location: "Location",
  upload: "Upload and sign", needPdf: "Please choose a PDF file.", notPdf: "This file is not a PDF.",
  tooBig: "The file is larger than allowed.", confirmSign: "Confirm the signature with an OTP",
  signed: "The document is signed.", download: "Download the signed document", recentDocs: "Recent documents",
  validateTitle: "Check a signed PDF", validate: "Check", reportValid: "Every signature is valid.",
  reportInvalid: "A signature is not valid.", noSignatures: "The document has no signature.",
  signer: "Signer", signingTime: "Signing time", integrity: "Integrity", trusted: "Trusted",
  revocation: "Revocation", timestamp: "Time stamp", coverage: "Coverage", yes: "Yes", no: "No",
  buyTitle: "Packages", priceVat: "Price (VAT included)", signatures: "Signatures", term: "Term",
  months: "{n} months", buy: "Buy", forCert: "For certificate", orders: "Your orders",
  noOrders: "No orders yet.", amount: "Amount", payNow: "Pay", order: "Order",
  os_pending: "Awaiting payment", os_fulfilled: "Fulfilled", os_awaiting_issuance: "Paid, awaiting the certificate",
  os_failed: "Payment failed", os_cancelled: "Cancelled", os_expired: "Expired",
  redirecting: "Going to the payment page…", partiesTitle: "Relying parties",
  partiesHint: "Let a relying party see your certificates and ask you for signatures.",
  allowed: "Allowed since {at}", notAllowed: "Not allowed", allow: "Allow", disallow: "Revoke",
  publicService: "Public service", accountTitle: "Account", fullName: "Full name", phone: "Phone",
  changePassword: "Change password", oldPassword: "Current password", newPassword: "New password",
  save: "Save", passwordChanged: "Your password is changed.", sessions: "Sessions",
  thisSession: "This session", revoke: "Log out this session", lastSeen: "Last seen",
  contactChange: "Change contact details", newPhone: "New phone", newEmail: "New email",
  needContact: "Give a new phone or a new email.", request: "Send the request",
  txCreated: "Transaction created; please confirm it below.", ra: "Registrations to review",
  support: "Support desk", forbiddenRole: "Your account may not use the staff console.",
  noCases: "No registrations.", open: "Open", back: "Back", approve: "Approve",
  reasonReject: "Reason for rejection", resubmittable: "Allow resubmission", approved: "Registration approved.",
  rejectedCase: "Registration rejected.", idNumber: "ID number", birthDate: "Date of birth",
  address: "Address", checks: "Checks", images: "eKYC images", front: "Front", back_: "Back",
  portrait: "Portrait", state: "State", accountId: "Customer account ID", method: "Method",
  lock: "Lock", unlock: "Unlock", reasonField: "Reason", done: "Done.",
  supportHint: "Type the customer's account ID (from the registration or the support log).",
  details: "Details", docIds: "Documents",
};

const tables = { vi, en };

export function lang() {
  return localStorage.getItem(KEY) === "en" ? "en" : "vi";
}

export function setLang(value) {
  localStorage.setItem(KEY, value === "en" ? "en" : "vi");
  document.documentElement.lang = lang();
}

/** The label of ``key`` under ``prefix``, or the raw value when there is none. */
export function label(prefix, key) {
  const text = tables[lang()][`${prefix}${key}`] ?? vi[`${prefix}${key}`];
  return text ?? key;
}

export function t(key, params = {}) {
  const text = tables[lang()][key] ?? vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}
